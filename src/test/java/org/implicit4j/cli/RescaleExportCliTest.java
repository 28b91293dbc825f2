package org.implicit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.implicit4j.analysis.WellPosednessAnalysis;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `rescale` and `export` end to end through the CLI. */
class RescaleExportCliTest {
  static final Path IRIS = Path.of("samples", "iris-mlp.onnx");

  @TempDir Path dir;

  @Test
  void rescaleWritesAModelBelowKappaWithTheSamePredictions() throws Exception {
    Path out = dir.resolve("iris-r.i4j");
    CliTest.Run r = CliTest.run("rescale", IRIS.toString(), "--kappa", "0.9", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    java.util.regex.Matcher mt = java.util.regex.Pattern.compile("rescaled to \u2016A\u2016\u221e = (\\S+) < \u03ba = 0.900")
        .matcher(r.out());
    assertTrue(mt.find(), r.out());
    assertTrue(Double.parseDouble(mt.group(1)) < 0.9, r.out());
    ImplicitModel orig = OnnxImporter.importFile(IRIS, ImportOptions.defaults()).model();
    ImplicitModel scaled = ModelFiles.load(out);
    assertTrue(WellPosednessAnalysis.of(scaled).normInf() < 0.9);
    assertTrue(scaled.provenance().rescaled().startsWith("rescaled to"));
    double[] u = {5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3};
    double[] a = Solvers.solve(orig, u, 2).outputs();
    double[] b = Solvers.solve(scaled, u, 2).outputs();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-12 * Math.max(1, Math.abs(a[i])));
    }
  }

  @Test
  void rescaleRefusalExitsOneAndWritesNothing() throws Exception {
    Path out = dir.resolve("never.i4j");
    Assumptions.assumeTrue(Files.exists(Path.of("../shared/models/vnn21-eran-sigmoid-6x200/model.onnx")),
        "the sigmoid network lives in ../shared only");
    CliTest.Run r = CliTest.run("rescale", "../shared/models/vnn21-eran-sigmoid-6x200/model.onnx", "-o", out.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("(sigmoid)") && r.err().contains("not positively homogeneous"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void exportWritesOnnxThatOnnxRuntimeRunsToTheSamePredictions() throws Exception {
    Path out = dir.resolve("iris.onnx");
    CliTest.Run r = CliTest.run("export", IRIS.toString(), "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("(feed-forward graph)"), r.out());
    ImplicitModel m = OnnxImporter.importFile(IRIS, ImportOptions.defaults()).model();
    float[] x = {5.1f, 3.5f, 1.4f, 0.2f};
    double[] y = Solvers.solve(m, new double[] {5.1f, 3.5f, 1.4f, 0.2f}, 1).output(0);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 4});
        OrtSession.Result res = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
      FloatBuffer got = ((OnnxTensor) res.get(0)).getFloatBuffer();
      for (double v : y) {
        float g = got.get();
        assertTrue(Math.abs(g - v) <= 1e-5 + 1e-4 * Math.abs(v), g + " vs " + v);
      }
    }
  }
}
