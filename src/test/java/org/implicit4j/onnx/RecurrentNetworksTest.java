package org.implicit4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.implicit4j.analysis.WellPosednessAnalysis;
import org.implicit4j.export.OnnxExporter;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.io.Npy;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.solve.Solvers;
import org.implicit4j.verify.OrtVerifier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The recurrent, gated and attention networks PyTorch 1.13 exported (scripts/make_fixtures.py,
 * "recurrent"): each imports as a strictly triangular model, matches ONNX Runtime on the 100 stored
 * inputs, and matches PyTorch run in float64 on the same inputs to 1e-6 relative, a second oracle
 * with no float32 rounding in it.
 */
class RecurrentNetworksTest {
  private static final Path FIXTURES = FixturesTest.FIXTURES;

  @TempDir Path dir;

  /** A fixture imported, with its stored inputs and float64 PyTorch outputs (rows of ŷ). */
  record Fixture(OnnxMl.ModelProto proto, ImportResult imported, double[][] inputs, double[][] expected) {}

  static Fixture load(String name) throws Exception {
    Path f = FIXTURES.resolve(name + ".onnx");
    OnnxMl.ModelProto proto = OnnxImporter.read(f);
    ImportResult r = OnnxImporter.importModel(proto, f.toString(), FIXTURES, ImportOptions.defaults());
    double[][] x = rows(npy(name + ".inputs.npy"));
    List<Npy.Array> outs = new ArrayList<>();
    for (int k = 0; Files.exists(FIXTURES.resolve(name + ".expected" + k + ".npy")); k++) {
      outs.add(npy(name + ".expected" + k + ".npy"));
    }
    double[][] y = new double[x.length][];
    for (int s = 0; s < x.length; s++) {
      double[] row = new double[0];
      for (Npy.Array o : outs) {
        double[] part = rows(o)[s];
        double[] joined = java.util.Arrays.copyOf(row, row.length + part.length);
        System.arraycopy(part, 0, joined, row.length, part.length);
        row = joined;
      }
      y[s] = row;
    }
    return new Fixture(proto, r, x, y);
  }

  private static Npy.Array npy(String file) throws Exception {
    try (InputStream in = Files.newInputStream(FIXTURES.resolve(file))) {
      return Npy.read(in, file, 1 << 20);
    }
  }

  private static double[][] rows(Npy.Array a) {
    int count = a.shape()[0];
    int width = a.doubles().length / count;
    double[][] r = new double[count][width];
    for (int s = 0; s < count; s++) {
      System.arraycopy(a.doubles(), s * width, r[s], 0, width);
    }
    return r;
  }

  static double[] flat(double[][] rows) {
    double[] u = new double[rows.length * rows[0].length];
    for (int s = 0; s < rows.length; s++) {
      System.arraycopy(rows[s], 0, u, s * rows[s].length, rows[s].length);
    }
    return u;
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm-classifier-opset14", "lstm2-opset14", "bigru-opset14", "rnn2-opset14",
      "silu-cnn-opset14", "gelu-mlp-opset14", "attention-opset14", "encoder-opset14", "encoder-opset17"})
  void matchesOnnxRuntimeAndFloat64PyTorch(String name) throws Exception {
    Fixture fx = load(name);
    ImplicitModel m = fx.imported().model();
    assertTrue(m.isStrictlyUpperTriangular(), name + " is not strictly upper triangular");
    assertEquals("well-posed: strictly upper triangular", WellPosednessAnalysis.of(m).verdict());
    try (OrtVerifier v = new OrtVerifier(fx.proto(), fx.imported(), name)) {
      VerificationReport rep = v.verify(fx.inputs(), 1e-5, 1e-4, null);
      assertTrue(rep.passed(), rep.summary());
      assertEquals(100, rep.matched());
    }
    assertEquals(fx.expected()[0].length, m.q(), "outputs per sample");
    double[] y = Solvers.solve(m, flat(fx.inputs()), fx.inputs().length).outputs();
    double[] ref = flat(fx.expected());
    for (int i = 0; i < y.length; i++) {
      assertEquals(ref[i], y[i], 1e-6 * Math.max(1e-3, Math.abs(ref[i])), name + " against float64 PyTorch, value " + i);
    }
  }

  /**
   * Per-layer verification compares only blocks that reproduce an ONNX tensor: the internal blocks
   * of softmax, layer norm, GELU or a gate (e^z, products, ReLU pieces) are not offered to ORT.
   */
  @ParameterizedTest
  @ValueSource(strings = {"encoder-opset17", "gelu-mlp-opset14", "silu-cnn-opset14"})
  void perLayerVerificationPasses(String name) {
    org.implicit4j.cli.CliTest.Run r = org.implicit4j.cli.CliTest.run("verify", FIXTURES.resolve(name + ".onnx")
        .toString(), "--per-layer", "--samples", "5", "--quiet");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("every state block matches"), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm-classifier-opset14", "bigru-opset14", "encoder-opset14", "encoder-opset17"})
  void modelFileAndExportReproduceTheNetwork(String name) throws Exception {
    Fixture fx = load(name);
    ImplicitModel m = fx.imported().model();
    assertTrue(m.states().stream().map(StateBlock::activation).anyMatch(a -> a instanceof Activation.GatedProduct),
        name + " has product states");
    double[] u = flat(fx.inputs());
    int batch = fx.inputs().length;
    double[] y = Solvers.solve(m, u, batch).outputs();
    Path file = dir.resolve(name + ".i4j");
    ModelFiles.save(m, file);
    double[] loaded = Solvers.solve(ModelFiles.load(file), u, batch).outputs();
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], loaded[i], 1e-12 * Math.max(1, Math.abs(y[i])), "model file, value " + i);
    }
    Path onnx = dir.resolve(name + ".exported.onnx");
    OnnxExporter.export(m, onnx);
    float[] x = new float[u.length];
    for (int i = 0; i < u.length; i++) {
      x[i] = (float) u[i];
    }
    float[] ort = org.implicit4j.export.OnnxExportTest.ort(onnx, x, batch, m.p());
    for (int i = 0; i < y.length; i++) {
      assertTrue(Math.abs(y[i] - ort[i]) <= 1e-5 + 1e-4 * Math.abs(y[i]), "export, value " + i + ": " + y[i] + " vs "
          + ort[i]);
    }
  }
}
