package org.implicit4j.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Anderson;
import org.implicit4j.solve.Picard;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each operator on seeded random models: the composite equals the composition computed separately. */
class ComposeTest {
  static double[] predict(ImplicitModel m, double[] u) {
    return Solvers.solve(m, u, 1).output(0);
  }

  static void close(double[] e, double[] a, double tol, String what) {
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), what + " [" + i + "]");
    }
  }

  /** A random model: a triangular MLP, or a contractive dense loop with a direct term D. */
  static ImplicitModel random(Random r, int p, int q, boolean loop) {
    if (!loop) {
      return TestModels.Mlp.random(r, p, 7, 5, q).implicit();
    }
    return TestModels.randomDense(r, 6, p, q, 0.5, Activation.TANH);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void cascadeSumConcatParallelProductMatchTheirDefinitions(long seed) {
    Random r = new Random(seed);
    boolean loop = seed % 2 == 0;
    ImplicitModel a = random(r, 4, 3, loop);
    ImplicitModel b = random(r, 3, 2, !loop);
    ImplicitModel c = random(r, 4, 3, !loop);
    double[] u = TestModels.randn(r, 4, 1);
    double[] v = TestModels.randn(r, 3, 1);
    double tol = 1e-9;
    close(predict(b, predict(a, u)), predict(Compose.cascade(a, b), u), tol, "cascade");
    double[] ya = predict(a, u);
    double[] yc = predict(c, u);
    double[] sum = new double[3];
    double[] gate = new double[3];
    for (int i = 0; i < 3; i++) {
      sum[i] = 0.3 * ya[i] - 2 * yc[i];
      gate[i] = Math.tanh(ya[i]) * (1 / (1 + Math.exp(-yc[i])));
    }
    close(sum, predict(Compose.sum(a, c, 0.3, -2), u), tol, "sum");
    close(concat(ya, yc), predict(Compose.concat(a, c), u), tol, "concat");
    close(concat(ya, predict(b, v)), predict(Compose.parallel(a, b), concat(u, v)), tol, "parallel");
    close(gate, predict(Compose.multiplicative(a, c, Activation.TANH, Activation.SIGMOID), u), tol, "multiplicative");
    assertEquals(a.isStrictlyUpperTriangular() && b.isStrictlyUpperTriangular(),
        Compose.cascade(a, b).isStrictlyUpperTriangular());
  }

  static double[] concat(double[] a, double[] b) {
    double[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void feedbackSatisfiesTheLoopEquationsAndMatchesAnIndependentIteration(long seed) {
    Random r = new Random(seed);
    // Direct terms D on both sides in half the cases, so that E and F are exercised.
    ImplicitModel m1 = seed % 2 == 0 ? TestModels.randomDense(r, 5, 3, 2, 0.4, Activation.TANH)
        : TestModels.Mlp.random(r, 3, 6, 4, 2).implicit();
    ImplicitModel m2 = TestModels.randomDense(r, 4, 2, 3, 0.4, Activation.TANH);
    double[][] k = {{0.1, -0.05, 0.02}, {0.0, 0.08, -0.1}, {0.05, 0.05, 0.05}};
    ImplicitModel fb = Compose.feedback(m1, m2, Gain.matrix(k));
    double[] u = TestModels.randn(r, 3, 1);
    double[] y = new Anderson(SolverOptions.defaults()).solve(fb, u, 1).output(0);
    // Independent: iterate the two separate models around the loop until u₁ settles.
    double[] u1 = u.clone();
    double[] y1 = null;
    for (int it = 0; it < 500; it++) {
      y1 = predict(m1, u1);
      double[] y2 = predict(m2, y1);
      double[] next = u.clone();
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          next[i] += k[i][j] * y2[j];
        }
      }
      u1 = next;
    }
    close(y1, y, 1e-8, "feedback output");
    // The loop equations at the solution: u₁ = u + K ŷ₂(ŷ₁), with ŷ₁ = m1(u₁).
    double[] y2 = predict(m2, y);
    double[] u1s = u.clone();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        u1s[i] += k[i][j] * y2[j];
      }
    }
    close(predict(m1, u1s), y, 1e-8, "u\u2082 = \u0177\u2081");
  }

  @Test
  void feedbackOfAnMlpOnItselfIsSolvedFasterByAnderson() {
    Random r = new Random(21);
    ImplicitModel mlp = TestModels.Mlp.random(r, 6, 20, 20, 6).implicit();
    ImplicitModel fb = Compose.feedback(mlp, Compose.identity(6), Gain.scalar(0.05));
    ImplicitModel scaled = org.implicit4j.analysis.Rescaler.rescale(fb, 0.95).model();
    assertTrue(org.implicit4j.analysis.WellPosednessAnalysis.of(scaled).normInf() < 0.95);
    double[] u = TestModels.randn(r, 6 * 4, 1);
    SolverOptions o = SolverOptions.defaults().withTolerance(1e-10);
    Solution p = new Picard(o).solve(scaled, u, 4);
    Solution a = new Anderson(o).solve(scaled, u, 4);
    assertTrue(a.report().iterations() < p.report().iterations(),
        "anderson " + a.report().iterations() + " vs picard " + p.report().iterations());
    close(p.outputs(), a.outputs(), 1e-8, "same fixed point");
  }

  @Test
  void mismatchesNameBothSides() {
    ImplicitModel a = TestModels.Mlp.random(new Random(1), 784, 5, 5, 10).implicit();
    DimensionMismatchException e = assertThrows(DimensionMismatchException.class, () -> Compose.cascade(a, a));
    assertEquals("cascade: left output 10 \u2260 right input 784", e.getMessage());
    e = assertThrows(DimensionMismatchException.class, () -> Compose.sum(a, Compose.identity(784), 1, 1));
    assertTrue(e.getMessage().startsWith("sum: left output 10 \u2260 right output 784"), e.getMessage());
  }

  @Test
  void singularDirectLoopIsRefused() {
    ImplicitModel id = Compose.affine(new DenseMatrix(2, 2, new double[] {1, 0, 0, 1}), new double[2]);
    CompositionException e = assertThrows(CompositionException.class, () -> Compose.feedback(id, id, Gain.scalar(1.0)));
    assertTrue(e.getMessage().contains("singular"), e.getMessage());
  }

  @Test
  void affineHeadAddsALinearLayer() {
    ImplicitModel mlp = TestModels.Mlp.random(new Random(3), 4, 5, 5, 3).implicit();
    double[][] w = {{1, 2, 3}, {0, -1, 0.5}};
    ImplicitModel head = Compose.affine(DenseMatrix.of(w), new double[] {0.1, -0.2});
    double[] u = {0.3, -0.1, 0.7, 0.2};
    double[] y = predict(mlp, u);
    double[] expect = {0.1 + y[0] + 2 * y[1] + 3 * y[2], -0.2 - y[1] + 0.5 * y[2]};
    close(expect, predict(Compose.cascade(mlp, head), u), 1e-12, "head");
    assertEquals(0, head.n());
  }
}
