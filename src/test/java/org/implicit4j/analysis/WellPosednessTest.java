package org.implicit4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.analysis.PerronRoot;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.WellPosedness;
import org.junit.jupiter.api.Test;

class WellPosednessTest {
  @Test
  void perronRootOfPositiveMatrixIsItsLargestEigenvalue() {
    // [[2,1],[1,2]]-like 3×3: eigenvalues 4, 1, 1 (all-ones vector is the Perron vector).
    DenseMatrix m = DenseMatrix.of(new double[][] {{2, 1, 1}, {1, 2, 1}, {1, 1, 2}});
    PerronRoot pf = PerronRoot.of(m, 1e-12, 1000);
    assertEquals(4.0, pf.value(), 1e-10);
    // A non-symmetric positive matrix: [[1,2],[3,4]] has λpf = (5+√33)/2.
    PerronRoot pf2 = PerronRoot.of(DenseMatrix.of(new double[][] {{1, 2}, {3, 4}}), 1e-12, 1000);
    assertEquals((5 + Math.sqrt(33)) / 2, pf2.value(), 1e-9);
    assertTrue(pf2.lower() <= pf2.value() && pf2.lower() > 5.3);
  }

  @Test
  void perronRootOfPermutationIsOneAndOfNilpotentIsZero() {
    DenseMatrix perm = DenseMatrix.of(new double[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}});
    assertEquals(1.0, PerronRoot.of(perm, 1e-12, 1000).value(), 1e-12);
    DenseMatrix nil = DenseMatrix.of(new double[][] {{0, 3, 1}, {0, 0, 2}, {0, 0, 0}});
    PerronRoot z = PerronRoot.of(nil, 1e-12, 1000);
    assertEquals(0.0, z.value(), 0);
    assertTrue(z.exact());
  }

  @Test
  void verdictsSayWhy() {
    WellPosedness tri = WellPosednessAnalysis.of(TestModels.Mlp.random(new Random(1), 4, 5, 6, 2).implicit());
    assertTrue(tri.strictlyUpperTriangular());
    assertEquals(0.0, tri.lambdaPf(), 0);
    assertEquals("well-posed: strictly upper triangular", tri.verdict());

    ImplicitModel contractive = TestModels.randomDense(new Random(2), 20, 3, 2, 0.83, Activation.RELU);
    WellPosedness c = WellPosednessAnalysis.of(contractive);
    assertEquals(0.83, c.normInf(), 1e-12);
    assertTrue(c.lambdaPf() <= 0.83 + 1e-9 && c.wellPosed(), c.verdict());
    assertTrue(c.verdict().startsWith("well-posed: \u03bbpf(|A|)="), c.verdict());

    // |A| with every row sum 1.4 has λpf exactly 1.4.
    ImplicitModel big = TestModels.randomDense(new Random(3), 20, 3, 2, 1.4, Activation.TANH);
    WellPosedness b = WellPosednessAnalysis.of(big);
    assertEquals(1.4, b.lambdaPf(), 1e-8);
    assertFalse(b.wellPosed());
    assertEquals("not shown: \u03bbpf(|A|)=1.400\u22651", b.verdict());
  }

  @Test
  void expansiveActivationIsNamed() {
    ImplicitModel m = TestModels.randomDense(new Random(4), 6, 2, 2, 0.5, Activation.leakyRelu(2.0));
    WellPosedness w = WellPosednessAnalysis.of(m);
    assertFalse(w.wellPosed());
    assertTrue(w.verdict().contains("leaky_relu(2.0)") && w.verdict().contains("'x'"), w.verdict());
  }
}
