package org.implicit4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.analysis.AnalysisException;
import org.implicit4j.model.Activation;
import org.junit.jupiter.api.Test;

/** {@link Implicit#wellPosedShown}'s shortcut agrees with the full analysis, both ways. */
class WellPosedShownTest {
  @Test
  void shortcutAgreesWithTheAnalysis() {
    Random r = new Random(4);
    List<Implicit> models = List.of(Implicit.load("samples/iris-mlp.onnx"), // strictly upper triangular
        Implicit.of(TestModels.randomDense(r, 12, 3, 2, 0.5, Activation.RELU)), // λpf(|A|) ≤ 0.5
        Implicit.of(TestModels.randomDense(r, 12, 3, 2, 5, Activation.RELU, true))); // λpf = 5
    for (Implicit m : models) {
      assertEquals(m.wellPosedness().wellPosed(), m.wellPosedShown(), m.wellPosedness().verdict());
    }
    assertTrue(models.get(0).wellPosedShown());
    assertTrue(models.get(1).wellPosedShown());
    assertFalse(models.get(2).wellPosedShown());
    assertThrows(AnalysisException.class, models.get(2)::requireWellPosed);
    assertEquals(models.get(0), models.get(0).requireWellPosed());
  }
}
