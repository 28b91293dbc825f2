package org.implicit4j.solve;

import static org.implicit4j.OnnxGraphs.floatInfo;
import static org.implicit4j.OnnxGraphs.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.implicit4j.OnnxGraphs;
import org.implicit4j.TestModels;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.SolvePlanSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled solve plan against the plain one (every block by its products): the same states,
 * in double and float32, on max-pool trees of every shape the importer writes, and no tree where
 * the rows are not one.
 */
class SolvePlanTest {
  private static final Path MNIST8 = Path.of("samples/mnist8.onnx");

  /** Relu → pooling graphs: 2×2, 3×3 (an odd tap count), padded, global, 3-D, pool after pool, pool into Conv. */
  static Stream<Arguments> pools() {
    return Stream.of(
        Arguments.of("2x2 stride 2", dims(1, 2, 6, 6), List.of(pool("MaxPool", "R", "Y", ints("kernel_shape", 2, 2),
            ints("strides", 2, 2)))),
        Arguments.of("3x3 stride 3", dims(1, 2, 9, 6), List.of(pool("MaxPool", "R", "Y", ints("kernel_shape", 3, 3),
            ints("strides", 3, 3)))),
        Arguments.of("3x3 padded stride 1", dims(1, 1, 5, 5), List.of(pool("MaxPool", "R", "Y",
            ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)))),
        Arguments.of("global", dims(1, 3, 5, 5), List.of(pool("GlobalMaxPool", "R", "Y"))),
        Arguments.of("3-D", dims(1, 2, 4, 4, 3), List.of(pool("MaxPool", "R", "Y", ints("kernel_shape", 2, 2, 2),
            ints("strides", 2, 1, 1)))),
        Arguments.of("pool after pool", dims(1, 2, 8, 8), List.of(pool("MaxPool", "R", "P", ints("kernel_shape", 2, 2),
            ints("strides", 2, 2)), pool("MaxPool", "P", "Y", ints("kernel_shape", 3, 3), ints("strides", 1, 1)))),
        Arguments.of("pool into Conv", dims(1, 2, 6, 6), List.of(pool("MaxPool", "R", "P", ints("kernel_shape", 2, 2),
            ints("strides", 2, 2)), OnnxMl.NodeProto.newBuilder().setOpType("Conv").addInput("P").addInput("W")
            .addOutput("Y").setName("conv").build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pools")
  void poolTreesRunAsKernelsWithThePlainStates(String name, long[] input, List<OnnxMl.NodeProto> nodes)
      throws Exception {
    ImplicitModel m = OnnxImporter.importModel(graph(input, nodes), name + ".onnx", null, ImportOptions.defaults())
        .model();
    SolvePlan plan = SolvePlan.compile(m);
    assertCovers(plan, m);
    List<Integer> inTrees = treeBlocks(plan);
    for (int i = 0; i < m.states().size(); i++) {
      String block = m.states().get(i).name();
      // Tree levels are "#max" blocks; a pool's output made a state for a Conv ("#conv-in") may join them.
      if (!block.contains("#conv-in")) {
        assertEquals(block.contains("#max"), inTrees.contains(i), "block " + block + " in a tree: " + describe(plan));
      }
    }
    assertSameStates(m, plan, 5);
  }

  @Test
  void mnist8HasItsTwoPoolingTreesAsKernels() throws Exception {
    ImplicitModel m = OnnxImporter.importFile(MNIST8, ImportOptions.defaults()).model();
    SolvePlan plan = SolvePlan.compile(m);
    assertEquals("[block 8, tree 7..5, block 4, tree 3..0]", describe(plan));
    assertSameStates(m, plan, 3);
    assertSameStates(m, plan, 1);
  }

  @Test
  void summaryNamesThePoolingKernelsOrTheAbsenceOfAPlan() throws Exception {
    ImplicitModel m = OnnxImporter.importFile(MNIST8, ImportOptions.defaults()).model();
    SolvePlanSummary s = SolvePlan.summary(m);
    assertEquals(List.of(new SolvePlanSummary.PoolingKernel(5, 7, 3136 + 1568 + 1568),
        new SolvePlanSummary.PoolingKernel(0, 3, 1024 + 512 + 256 + 256)), s.kernels());
    assertEquals(4, s.steps());
    assertTrue(s.toString().contains("9 blocks in 4 steps; max-pool trees as pooling kernels: blocks 7..5"), s.toString());
    ImplicitModel looped = TestModels.randomDense(new Random(1), 6, 3, 2, 0.5, Activation.RELU);
    SolvePlanSummary none = SolvePlan.summary(looped);
    assertFalse(none.triangular());
    assertTrue(none.toString().startsWith("none: A is not strictly block upper triangular"), none.toString());
  }

  /** A rescaled model's blocks are scaled selections, not ±1: every block is a plain step. */
  @Test
  void rescaledBlocksArePlainSteps() throws Exception {
    ImplicitModel m = Rescaler.rescale(OnnxImporter.importFile(MNIST8, ImportOptions.defaults()).model(), 0.95)
        .model();
    SolvePlan plan = SolvePlan.compile(m);
    assertEquals(List.of(), treeBlocks(plan));
    assertCovers(plan, m);
  }

  /**
   * Rows of ±1 selections that are not tree values: an identity row summing two states, and a ReLU
   * row whose positive part is a sum no lower level made. Neither may become a tree level.
   */
  @Test
  void sumsThatAreNoTreeValueStayPlain() {
    // Blocks, last first: 3 = relu(u) (4), 2 = relu(x3[0] − x3[1]) (2), 1 = x3[2] + x3[3], 0 = relu(x3[0] + x3[2] − x3[1]).
    ImplicitModel.Builder b = ImplicitModel.builder(4, 1);
    b.addState("odd", 1, Activation.RELU);
    b.addState("sum", 1, Activation.IDENTITY);
    b.addState("max", 2, Activation.RELU);
    b.addState("in", 4, Activation.RELU);
    b.addB(3, csr(4, 4, new int[][] {{0}, {1}, {2}, {3}}, new double[][] {{1}, {1}, {1}, {1}}));
    b.addA(2, 3, csr(2, 4, new int[][] {{0, 1}, {2, 3}}, new double[][] {{1, -1}, {1, -1}}));
    b.addA(1, 3, csr(1, 4, new int[][] {{2, 3}}, new double[][] {{1, 1}}));
    b.addA(0, 3, csr(1, 4, new int[][] {{0, 1, 2}}, new double[][] {{1, -1, 1}}));
    b.addC(0, csr(1, 1, new int[][] {{0}}, new double[][] {{1}}));
    ImplicitModel m = b.build();
    SolvePlan plan = SolvePlan.compile(m);
    assertEquals("[block 3, tree 2..2, block 1, block 0]", describe(plan));
    assertSameStates(m, plan, 4);
  }

  private static CsrMatrix csr(int rows, int cols, int[][] idx, double[][] val) {
    int[] ptr = new int[rows + 1];
    for (int r = 0; r < rows; r++) {
      ptr[r + 1] = ptr[r] + idx[r].length;
    }
    return new CsrMatrix(rows, cols, ptr, Arrays.stream(idx).flatMapToInt(Arrays::stream).toArray(),
        Arrays.stream(val).flatMapToDouble(Arrays::stream).toArray());
  }

  /** States after b + Bu and the plan, against the plain plan: double to 1e-12 and float32 to 1e-5 of the largest. */
  private static void assertSameStates(ImplicitModel model, SolvePlan plan, int batch) {
    Random r = new Random(batch);
    double[] u = new double[batch * model.p()];
    for (int i = 0; i < u.length; i++) {
      u[i] = 2 * r.nextDouble() - 1;
    }
    double[] x = start(model, u, batch);
    double[] plain = x.clone();
    plan.substitute(model, x, 0, batch);
    SolvePlan.plain(model).substitute(model, plain, 0, batch);
    assertClose(plain, x, 1e-12, "double");
    ImplicitModel m32 = model.withFloat32Kernels();
    float[] f = toFloat(start(m32, u, batch));
    float[] fPlain = f.clone();
    SolvePlan.compile(m32).substitute(m32, f, 0, batch);
    SolvePlan.plain(m32).substitute(m32, fPlain, 0, batch);
    assertClose(toDouble(fPlain), toDouble(f), 1e-5, "float32");
  }

  private static double[] start(ImplicitModel model, double[] u, int batch) {
    int n = model.n();
    double[] x = new double[batch * n];
    for (int s = 0; s < batch; s++) {
      model.stateBiasInto(x, s * n);
    }
    model.b().multAdd(u, 0, model.p(), x, 0, n, batch);
    return x;
  }

  private static void assertClose(double[] want, double[] got, double rel, String what) {
    double scale = Arrays.stream(want).map(Math::abs).max().orElse(0);
    assertTrue(scale > 0, "states all zero: nothing compared");
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], rel * scale, what + " state " + i);
    }
  }

  /** Each block exactly once, from the last down: the order back-substitution needs. */
  private static void assertCovers(SolvePlan plan, ImplicitModel m) {
    List<Integer> order = new ArrayList<>();
    for (SolvePlan.Step s : plan.steps()) {
      if (s instanceof SolvePlan.Tree t) {
        for (int i = t.tree().last(); i >= t.tree().first(); i--) {
          order.add(i);
        }
      } else {
        order.add(((SolvePlan.Block) s).index());
      }
    }
    List<Integer> want = new ArrayList<>();
    for (int i = m.states().size() - 1; i >= 0; i--) {
      want.add(i);
    }
    assertEquals(want, order);
  }

  private static List<Integer> treeBlocks(SolvePlan plan) {
    List<Integer> blocks = new ArrayList<>();
    for (SolvePlan.Step s : plan.steps()) {
      if (s instanceof SolvePlan.Tree t) {
        for (int i = t.tree().first(); i <= t.tree().last(); i++) {
          blocks.add(i);
        }
      }
    }
    return blocks;
  }

  private static String describe(SolvePlan plan) {
    return plan.steps().stream().map(s -> s instanceof SolvePlan.Tree t ? "tree " + t.tree().last() + ".."
        + t.tree().first() : "block " + ((SolvePlan.Block) s).index()).toList().toString();
  }

  private static OnnxMl.NodeProto pool(String op, String in, String out, OnnxMl.AttributeProto... attrs) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out).addInput(in).addOutput(out)
        .addAllAttribute(Arrays.asList(attrs)).build();
  }

  /** X → Relu → nodes → Y; the Conv case's weight W (2 → 3 channels, 3×3) is an initializer. */
  private static OnnxMl.ModelProto graph(long[] input, List<OnnxMl.NodeProto> nodes) {
    Object[] dims = Arrays.stream(input).mapToObj(d -> (Object) (int) d).toArray();
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("pool").addInput(floatInfo("X", dims))
        .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("Y").setType(OnnxMl.TypeProto.newBuilder()
            .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("X").addOutput("R"))
        .addAllNode(nodes);
    if (nodes.stream().anyMatch(n -> n.getOpType().equals("Conv"))) {
      g.addInitializer(OnnxGraphs.gaussian("W", new Random(7), 0.5, 3, 2, 3, 3));
    }
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).build();
  }

  private static long[] dims(long... d) {
    return d;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
