package org.implicit4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.implicit4j.TestModels;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.linalg.ScaledOperator;
import org.implicit4j.linalg.SumOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every permitted kind of LinearOperator and of Activation survives the model file (save → load,
 * same predictions to 1e-12) and ONNX export (ONNX Runtime agrees with the solver). The example
 * tables are checked against the sealed hierarchies, so a new kind without an example fails here.
 */
class ClosedKindsTest {
  @TempDir Path dir;

  private static final Random R = new Random(11);

  /** One 4 × 4 example of each operator kind. */
  static Map<Class<?>, Supplier<LinearOperator>> operators() {
    Map<Class<?>, Supplier<LinearOperator>> m = new LinkedHashMap<>();
    m.put(DenseMatrix.class, () -> dense(4, 4));
    m.put(CsrMatrix.class, () -> new CsrMatrix(4, 4, new int[] {0, 1, 3, 3, 4}, new int[] {2, 0, 3, 1},
        new double[] {0.5, -0.7, 0.3, 0.9}));
    m.put(DiagonalMatrix.class, () -> new DiagonalMatrix(new double[] {0.4, -0.6, 0.8, 0.2}));
    m.put(Conv2d.class, ClosedKindsTest::conv);
    m.put(ScaledOperator.class, () -> ScaledOperator.of(new double[] {1, 2, 0.5, 3}, conv(),
        new double[] {0.25, 1, 2, 4}));
    m.put(SumOperator.class, () -> SumOperator.of(dense(4, 4), conv()));
    m.put(ProductOperator.class, () -> ProductOperator.of(dense(4, 4), conv()));
    m.put(BlockMatrix.class, () -> new BlockMatrix(new int[] {2, 2}, new int[] {4},
        List.of(new BlockMatrix.Block(0, 0, dense(2, 4)), new BlockMatrix.Block(1, 0, dense(2, 4)))));
    return m;
  }

  /** One example of each activation kind. */
  static Map<Class<?>, Activation> activations() {
    Map<Class<?>, Activation> m = new LinkedHashMap<>();
    m.put(Activation.Relu.class, Activation.RELU);
    m.put(Activation.LeakyRelu.class, new Activation.LeakyRelu(0.1));
    m.put(Activation.Identity.class, Activation.IDENTITY);
    m.put(Activation.Tanh.class, Activation.TANH);
    m.put(Activation.Sigmoid.class, Activation.SIGMOID);
    m.put(Activation.GatedProduct.class, new Activation.GatedProduct(Activation.TANH, Activation.SIGMOID));
    m.put(Activation.Exp.class, Activation.EXP);
    m.put(Activation.Log.class, Activation.LOG);
    m.put(Activation.Reciprocal.class, Activation.RECIPROCAL);
    m.put(Activation.Sqrt.class, Activation.SQRT);
    m.put(Activation.Rsqrt.class, Activation.RSQRT);
    m.put(Activation.Erf.class, Activation.ERF);
    m.put(Activation.Softplus.class, Activation.SOFTPLUS);
    m.put(Activation.HardSigmoid.class, new Activation.HardSigmoid(0.2, 0.5));
    return m;
  }

  private static DenseMatrix dense(int rows, int cols) {
    return new DenseMatrix(rows, cols, TestModels.randn(R, rows * cols, 0.5));
  }

  /** A 1-channel 2 × 2 image, 2 × 2 kernel, padded on top and left: a 4 × 4 map. */
  private static Conv2d conv() {
    return new Conv2d(new ConvGeometry(1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1), TestModels.randn(R, 4, 0.5));
  }

  @Test
  void examplesCoverEveryPermittedKind() {
    assertEquals(permitted(LinearOperator.class), operators().keySet());
    assertEquals(permitted(Activation.class), activations().keySet());
    operators().forEach((kind, make) -> assertSame(kind, make.get().getClass(), "example of " + kind));
    activations().forEach((kind, a) -> assertSame(kind, a.getClass(), "example of " + kind));
  }

  private static Set<Class<?>> permitted(Class<?> sealed) {
    assertTrue(sealed.isSealed(), sealed + " must be sealed");
    return Arrays.stream(sealed.getPermittedSubclasses()).collect(Collectors.toSet());
  }

  static Stream<Arguments> operatorKinds() {
    return operators().entrySet().stream().map(e -> Arguments.of(e.getKey().getSimpleName(), e.getValue()));
  }

  static Stream<Arguments> activationKinds() {
    return activations().entrySet().stream().map(e -> Arguments.of(e.getKey().getSimpleName(), e.getValue()));
  }

  /** x0 = φ(op·x1 + B0u + b0), x1 = relu(B1u + b1), ŷ = C0 x0 + C1 x1: op as an A block. */
  private static ImplicitModel model(LinearOperator op, Activation phi) {
    int n0 = phi instanceof Activation.GatedProduct ? 4 : op.rows();
    ImplicitModel.Builder b = ImplicitModel.builder(4, n0);
    int x0 = b.addState("x0", n0, phi);
    int x1 = b.addState("x1", 4, Activation.RELU);
    b.addA(x0, x1, n0 == op.rows() ? op : dense(n0, 4));
    b.addB(x0, dense(n0, 4)).addB(x1, op.cols() == 4 ? op : dense(4, 4));
    double[] b0 = TestModels.randn(R, n0, 0.1);
    if (positiveDomain(phi)) {
      // log, sqrt, 1/z and 1/√z are used on positive arguments: shift the preactivation there.
      Arrays.setAll(b0, i -> b0[i] + 10);
    }
    b.addStateBias(x0, b0).addStateBias(x1, TestModels.randn(R, 4, 0.1));
    b.addC(x0, dense(n0, n0)).addC(x1, dense(n0, 4)).addOutputBias(TestModels.randn(R, n0, 0.1));
    return b.build();
  }

  private static boolean positiveDomain(Activation phi) {
    return phi instanceof Activation.Log || phi instanceof Activation.Sqrt || phi instanceof Activation.Rsqrt
        || phi instanceof Activation.Reciprocal;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operatorKinds")
  void operatorRoundTrips(String kind, Supplier<LinearOperator> make) throws Exception {
    roundTrip(model(make.get(), Activation.RELU));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activationKinds")
  void activationRoundTrips(String kind, Activation phi) throws Exception {
    roundTrip(model(dense(4, 4), phi));
  }

  private void roundTrip(ImplicitModel m) throws Exception {
    double[] u = TestModels.randn(new Random(5), 3 * m.p(), 1);
    double[] y = Solvers.solve(m, u, 3).outputs();
    Path file = dir.resolve("m.i4j");
    ModelFiles.save(m, file);
    double[] loaded = Solvers.solve(ModelFiles.load(file), u, 3).outputs();
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], loaded[i], 1e-12 * Math.max(1, Math.abs(y[i])), "model file, output " + i);
    }
    Path onnx = dir.resolve("m.onnx");
    OnnxExporter.export(m, onnx);
    float[] x = new float[u.length];
    for (int i = 0; i < u.length; i++) {
      x[i] = (float) u[i];
    }
    float[] ref = OnnxExportTest.ort(onnx, x, 3, m.p());
    double[] own = Solvers.solve(m, OnnxExportTest.toDouble(x), 3).outputs();
    // and the float32 solve, states in float as in ONNX Runtime: every kind has a float32 product
    double[] own32 = Solvers.predict(m.withFloat32Kernels(), OnnxExportTest.toDouble(x), 3).outputs();
    for (int i = 0; i < own.length; i++) {
      assertTrue(Math.abs(own[i] - ref[i]) <= 1e-5 + 1e-4 * Math.abs(own[i]), "ONNX Runtime, output " + i + ": "
          + own[i] + " vs " + ref[i]);
      assertTrue(Math.abs(own32[i] - ref[i]) <= 1e-5 + 1e-4 * Math.abs(own32[i]), "float32 states vs ONNX Runtime, "
          + "output " + i + ": " + own32[i] + " vs " + ref[i]);
    }
  }
}
