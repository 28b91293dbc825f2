package org.implicit4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.implicit4j.OnnxGraphs;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.api.Implicit;
import org.implicit4j.compose.Compose;
import org.implicit4j.compose.Gain;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export round trips through ONNX Runtime, and a cascade of two real ONNX networks checked by running both in ORT. */
public class OnnxExportTest {
  static final Path MNIST = Path.of("samples", "mnist8.onnx");

  @TempDir Path dir;

  /** ORT on a model file: one input of the given shape, first output flattened. */
  /**
   * ONNX Runtime's flattened output for {@code x}, given as [batch, p]: reshaped to the graph's own
   * input shape (the exporter keeps the source network's, e.g. [N, 1, 28, 28]).
   */
  public static float[] ort(Path model, float[] x, long... shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
      String name = s.getInputNames().iterator().next();
      long[] declared = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(name).getInfo()).getShape();
      long[] full = declared.clone();
      full[0] = shape[0];
      return run(env, s, name, x, declared.length == 2 ? shape : full);
    }
  }

  private static float[] run(OrtEnvironment env, OrtSession s, String name, float[] x, long[] shape) throws Exception {
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
        OrtSession.Result r = s.run(Map.of(name, in))) {
      FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] out = new float[b.remaining()];
      b.get(out);
      return out;
    }
  }

  static float[] randomImage(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextFloat();
    }
    return x;
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** Exports m, runs the ONNX in ORT on batch inputs, compares with implicit4j's own solve. */
  void assertExportMatches(ImplicitModel m, int batch, long seed) throws Exception {
    Path out = dir.resolve("export.onnx");
    OnnxExporter.export(m, out);
    float[] x = randomImage(new Random(seed), batch * m.p());
    float[] ref = ort(out, x, batch, m.p());
    double[] own = Solvers.solve(m, toDouble(x), batch).outputs();
    assertEquals(own.length, ref.length);
    for (int i = 0; i < own.length; i++) {
      assertTrue(Math.abs(own[i] - ref[i]) <= 1e-5 + 1e-4 * Math.abs(own[i]), "output " + i + ": " + own[i] + " vs ORT " + ref[i]);
    }
  }

  @Test
  void convertedNetworkRoundTrips() throws Exception {
    ImplicitModel m = OnnxImporter.importFile(MNIST, ImportOptions.defaults()).model();
    assertExportMatches(m, 5, 1);
    assertExportMatches(Rescaler.rescale(m, 0.95).model(), 3, 2);
  }

  /** A drop-in replacement: the exported mnist8 keeps input "Input3" [N,1,28,28] and its output's name. */
  @Test
  void exportKeepsTheSourceInterface() throws Exception {
    OnnxMl.ModelProto source = OnnxImporter.read(MNIST);
    ImplicitModel m = OnnxImporter.importFile(MNIST, ImportOptions.defaults()).model();
    Path out = dir.resolve("mnist8-exported.onnx");
    OnnxExporter.export(m, out);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions())) {
      assertEquals(source.getGraph().getInput(0).getName(), s.getInputNames().iterator().next());
      assertEquals("Input3", s.getInputNames().iterator().next());
      assertEquals(source.getGraph().getOutput(0).getName(), s.getOutputNames().iterator().next());
      long[] in = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get("Input3").getInfo()).getShape();
      assertEquals(java.util.List.of(-1L, 1L, 28L, 28L), java.util.Arrays.stream(in).boxed().toList());
      float[] x = randomImage(new Random(4), 784);
      try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 1, 28, 28});
          OrtSession.Result r = s.run(Map.of("Input3", t))) {
        FloatBuffer got = ((OnnxTensor) r.get(0)).getFloatBuffer();
        double[] want = Solvers.solve(m, toDouble(x), 1).outputs();
        for (double v : want) {
          float g = got.get();
          assertTrue(Math.abs(g - v) <= 1e-4 + 1e-4 * Math.abs(v), g + " vs " + v);
        }
      }
    }
  }

  @Test
  void mixedOpsFixtureRoundTrips() throws Exception {
    ImplicitModel m = OnnxImporter.importFile(Path.of("src/test/resources/fixtures/mixed-ops-opset17.onnx"),
        ImportOptions.defaults()).model();
    assertExportMatches(m, 4, 3);
  }

  /** A 10 → 6 → 3 head as a hand-built ONNX graph (Gemm, Relu, Gemm), independent of the exporter. */
  static OnnxMl.ModelProto head(Random r) {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("head")
        .addInput(OnnxGraphs.floatInfo("logits", "N", 10))
        .addInitializer(weights("W1", r, 6, 10)).addInitializer(weights("b1", r, 6))
        .addInitializer(weights("W2", r, 3, 6)).addInitializer(weights("b2", r, 3))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gemm").setName("fc1").addAllInput(List.of("logits", "W1", "b1"))
            .addOutput("h").addAttribute(OnnxGraphs.intAttr("transB", 1)))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Relu").setName("act").addInput("h").addOutput("hr"))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gemm").setName("fc2").addAllInput(List.of("hr", "W2", "b2"))
            .addOutput("out").addAttribute(OnnxGraphs.intAttr("transB", 1)))
        .addOutput(OnnxGraphs.floatInfo("out", "N", 3));
    return OnnxMl.ModelProto.newBuilder().setIrVersion(7)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
  }

  private static OnnxMl.TensorProto weights(String name, Random r, long... dims) {
    return OnnxGraphs.gaussian(name, r, 0.3, dims);
  }

  @Test
  void cascadeOfTwoOnnxNetworksMatchesRunningThemInSequence() throws Exception {
    Path headFile = dir.resolve("head.onnx");
    Files.write(headFile, head(new Random(4)).toByteArray());
    Implicit net = Implicit.load(MNIST).then(Implicit.load(headFile));
    assertTrue(net.model().isStrictlyUpperTriangular());
    Random r = new Random(5);
    for (int s = 0; s < 10; s++) {
      float[] x = randomImage(r, 784);
      float[] logits = ort(MNIST, x, 1, 1, 28, 28);
      float[] ref = ort(headFile, logits, 1, 10);
      double[] y = net.predict(new double[][] {toDouble(x)})[0];
      for (int i = 0; i < 3; i++) {
        assertTrue(Math.abs(y[i] - ref[i]) <= 1e-5 + 1e-4 * Math.abs(ref[i]), "sample " + s + ": " + y[i] + " vs " + ref[i]);
      }
    }
    assertExportMatches(net.model(), 4, 6);
  }

  @Test
  void feedbackModelExportsAsALoop() throws Exception {
    ImplicitModel mlp = OnnxImporter.importFile(Path.of("src/test/resources/fixtures/digits-mlp-opset9.onnx"),
        ImportOptions.defaults()).model();
    ImplicitModel loop = Rescaler.rescale(Compose.feedback(mlp, Compose.affine(
        new org.implicit4j.linalg.DenseMatrix(64, 10, randomMatrix(new Random(7), 64 * 10, 0.02)), new double[64]),
        Gain.scalar(0.03)), 0.95).model();
    assertTrue(!loop.isStrictlyUpperTriangular());
    OnnxMl.ModelProto proto = OnnxExporter.toOnnx(loop, 0);
    assertTrue(proto.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Loop")));
    assertExportMatches(loop, 3, 8);
  }

  @Test
  void gatedProductExports() throws Exception {
    Random r = new Random(9);
    ImplicitModel a = org.implicit4j.TestModels.Mlp.random(r, 5, 6, 6, 4).implicit();
    ImplicitModel b = org.implicit4j.TestModels.Mlp.random(r, 5, 6, 6, 4).implicit();
    assertExportMatches(Compose.multiplicative(a, b, Activation.TANH, Activation.SIGMOID), 3, 10);
  }

  private static double[] randomMatrix(Random r, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian() * scale;
    }
    return v;
  }
}
