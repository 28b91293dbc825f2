package org.implicit4j.analysis;

import org.implicit4j.solve.Solution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.implicit4j.TestModels;
import org.implicit4j.io.Datasets;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.AttackReport;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bounds on the Fashion-MNIST MLP 784-60-40-10 trained by scripts/make_fixtures.py: S against
 * the product of the absolute weights read straight from the ONNX file, and attacks on the real
 * test images (Debian's dataset-fashion-mnist; skipped where it is not installed).
 */
class RealNetworkRobustnessTest {
  static final Path MLP = Path.of("src/test/resources/fixtures/fashion-mlp-opset13.onnx");
  static final Path IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");

  /** The Gemm weights W (out × in), by initializer name, as |W| — independent of the importer. */
  private static Map<String, double[][]> absWeights() throws Exception {
    OnnxMl.ModelProto proto = OnnxImporter.read(MLP);
    Map<String, double[][]> w = new HashMap<>();
    for (OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
      if (t.getDimsCount() == 2) {
        int rows = (int) t.getDims(0);
        int cols = (int) t.getDims(1);
        java.nio.FloatBuffer f = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            m[i][j] = Math.abs(t.getRawData().isEmpty() ? t.getFloatData(i * cols + j) : f.get(i * cols + j));
          }
        }
        w.put(t.getName(), m);
      }
    }
    return w;
  }


  @Test
  void sensitivityOfTheFashionMlpIsTheProductOfItsAbsoluteWeights() throws Exception {
    Map<String, double[][]> w = absWeights();
    double[][] want = TestModels.times(w.get("4.weight"), TestModels.times(w.get("2.weight"), w.get("0.weight")));
    SensitivityMatrix s = Robustness.sensitivity(OnnxImporter.importFile(MLP, ImportOptions.defaults()).model());
    assertEquals(10, s.q());
    assertEquals(784, s.p());
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 784; j++) {
        assertEquals(want[i][j], s.get(i, j), 1e-9 * Math.max(1, want[i][j]), "S[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void attacksOnFashionMnistLowerAccuracyAndStayInTheBox() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(IMAGES),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping the real-image attack test");
    ImplicitModel m = OnnxImporter.importFile(MLP, ImportOptions.defaults()).model();
    Datasets.Labelled d = Datasets.read(IMAGES, 784);
    assertEquals(10_000, d.size());
    double[][] x = java.util.Arrays.copyOf(d.x(), 300);
    int[] y = java.util.Arrays.copyOf(d.labels(), 300);
    double[] sigma = new double[784];
    java.util.Arrays.fill(sigma, 0.3);
    Map<Attacks.Method, AttackReport> reps = new HashMap<>();
    for (Attacks.Method method : new Attacks.Method[] {Attacks.Method.SENSITIVITY, Attacks.Method.GRADIENT}) {
      reps.put(method, Attacks.run(m, x, y, new Attacks.Settings(method, new int[] {10, 100}, sigma, 0, 1, 42, -1),
          (k, i, u, pred) -> {
            for (int j = 0; j < 784; j++) {
              assertTrue(Math.abs(u[j] - x[i][j]) <= 0.3 + 1e-12 && u[j] >= 0 && u[j] <= 1);
            }
            assertEquals(pred, Solution.argmax(Solvers.solve(m, u, 1).output(0)));
          }, null));
    }
    AttackReport g = reps.get(Attacks.Method.GRADIENT);
    assertTrue(g.cleanAccuracy() > 0.8, "clean accuracy " + g.cleanAccuracy());
    assertTrue(g.rows().get(1).accuracy() < g.cleanAccuracy() - 0.3, g.text());
    assertTrue(g.rows().get(1).accuracy() <= g.rows().get(0).accuracy(), g.text());
  }
}
