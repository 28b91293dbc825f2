package org.implicit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.implicit4j.TestModels;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.TrainReport;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Implicit gradients against finite differences and hand-written backprop; the ℓ1 projection against bisection. */
class TrainTest {
  static final SolverOptions TIGHT = SolverOptions.defaults().withTolerance(1e-14);

  private static double loss(ImplicitModel m, double[] u, int[] labels) {
    Solution s = Solvers.auto(TIGHT).solve(m, u, labels.length);
    return new Loss.CrossEntropy().valueAndGradient(s.outputs(), labels, m.q(), new double[s.outputs().length]);
  }

  /** A dense well-posed model (‖A‖∞ = 0.6), with or without D. */
  private static ImplicitModel model(String act, boolean withD, Random r) {
    ImplicitModel m = TestModels.randomDense(r, 7, 5, 3, 0.6, Activation.parse(act));
    if (withD) {
      return m;
    }
    return m.withMatrices(m.a(), m.b(), m.c(), new org.implicit4j.linalg.BlockMatrix(new int[] {3}, new int[] {5},
        List.of()), m.stateBias(), m.outputBias());
  }

  @ParameterizedTest(name = "{0}, D={1}")
  @CsvSource({"relu,true", "relu,false", "tanh,true", "tanh,false", "sigmoid,true", "sigmoid,false"})
  void everyParameterGradientMatchesFiniteDifferences(String act, boolean withD) {
    Random r = new Random(act.hashCode() + (withD ? 1 : 0));
    ImplicitModel m = model(act, withD, r);
    double[] u = TestModels.randn(r, 4 * m.p(), 1);
    int[] labels = {0, 2, 1, 2};
    TrainableModel tm = new TrainableModel(m, Set.of());
    Backprop.run(tm, tm.snapshot(false), u, labels, new Loss.CrossEntropy(), TIGHT);
    assertEquals(withD ? 4 : 3, tm.slots().size());
    double h = 1e-6;
    for (Slot s : tm.slots()) {
      for (int k = 0; k < s.values().length; k++) {
        double[] g = s.grad();
        double keep = s.values()[k];
        s.values()[k] = keep + h;
        double up = loss(tm.snapshot(true), u, labels);
        s.values()[k] = keep - h;
        double dn = loss(tm.snapshot(true), u, labels);
        s.values()[k] = keep;
        double fd = (up - dn) / (2 * h);
        assertEquals(fd, g[k], 1e-6 * Math.max(1, Math.abs(fd)), s.name() + " entry " + k);
      }
    }
    for (double[][] bias : new double[][][] {{tm.stateBias, tm.stateBiasGrad}, {tm.outputBias, tm.outputBiasGrad}}) {
      for (int k = 0; k < bias[0].length; k++) {
        double keep = bias[0][k];
        bias[0][k] = keep + h;
        double up = loss(tm.snapshot(true), u, labels);
        bias[0][k] = keep - h;
        double dn = loss(tm.snapshot(true), u, labels);
        bias[0][k] = keep;
        assertEquals((up - dn) / (2 * h), bias[1][k], 1e-6 * Math.max(1, Math.abs((up - dn) / (2 * h))), "bias " + k);
      }
    }
  }

  /** The layered shape's gradients equal plain backpropagation through the same MLP, written out. */
  @Test
  void triangularGradientsEqualHandWrittenBackprop() {
    TestModels.Mlp mlp = TestModels.Mlp.random(new Random(3), 6, 5, 4, 3);
    double[] u = TestModels.randn(new Random(4), 6, 1);
    int label = 1;
    // forward
    double[] z1 = affine(mlp.w0(), mlp.b0(), u, 5, 6);
    double[] a1 = relu(z1);
    double[] z2 = affine(mlp.w1(), mlp.b1(), a1, 4, 5);
    double[] a2 = relu(z2);
    double[] y = affine(mlp.w2(), mlp.b2(), a2, 3, 4);
    // backward: dL/dy = softmax(y) - e_label
    double[] gy = new double[3];
    double sum = 0;
    for (double v : y) {
      sum += Math.exp(v);
    }
    for (int t = 0; t < 3; t++) {
      gy[t] = Math.exp(y[t]) / sum - (t == label ? 1 : 0);
    }
    double[] ga2 = transTimes(mlp.w2(), gy, 3, 4);
    double[] gz2 = mask(ga2, z2);
    double[] ga1 = transTimes(mlp.w1(), gz2, 4, 5);
    double[] gz1 = mask(ga1, z1);
    TrainableModel tm = new TrainableModel(mlp.implicit(), Set.of());
    Backprop.run(tm, tm.snapshot(false), u, new int[] {label}, new Loss.CrossEntropy(), TIGHT);
    assertOuter(gz2, a1, tm.find('A', 0, 1).grad(), "W1");
    assertOuter(gz1, u, tm.find('B', 1, 0).grad(), "W0");
    assertOuter(gy, a2, tm.find('C', 0, 0).grad(), "W2");
    for (int i = 0; i < 4; i++) {
      assertEquals(gz2[i], tm.stateBiasGrad[i], 1e-12, "b1");
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(gz1[i], tm.stateBiasGrad[4 + i], 1e-12, "b0");
    }
  }

  private static double[] affine(double[] w, double[] b, double[] x, int m, int n) {
    double[] y = b.clone();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        y[i] += w[i * n + j] * x[j];
      }
    }
    return y;
  }

  private static double[] relu(double[] z) {
    double[] a = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      a[i] = Math.max(0, z[i]);
    }
    return a;
  }

  private static double[] transTimes(double[] w, double[] g, int m, int n) {
    double[] r = new double[n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        r[j] += w[i * n + j] * g[i];
      }
    }
    return r;
  }

  private static double[] mask(double[] g, double[] z) {
    double[] r = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      r[i] = z[i] >= 0 ? g[i] : 0;
    }
    return r;
  }

  private static void assertOuter(double[] a, double[] b, double[] got, String what) {
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        assertEquals(a[i] * b[j], got[i * b.length + j], 1e-12, what + "[" + i + "][" + j + "]");
      }
    }
  }

  /** θ by bisection on Σ max(|w_i| − θ, 0) = κ, independent of the sort. */
  private static double[] bisection(double[] w, double kappa) {
    double lo = 0;
    double hi = 0;
    for (double v : w) {
      hi = Math.max(hi, Math.abs(v));
    }
    for (int it = 0; it < 200; it++) {
      double mid = (lo + hi) / 2;
      double s = 0;
      for (double v : w) {
        s += Math.max(Math.abs(v) - mid, 0);
      }
      if (s > kappa) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double[] r = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      r[i] = Math.signum(w[i]) * Math.max(Math.abs(w[i]) - hi, 0);
    }
    return r;
  }

  @Test
  void projectionMatchesBisectionAndIsIdempotent() {
    Random r = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      double[] w = TestModels.randn(r, 1 + r.nextInt(40), 1);
      double kappa = 0.05 + r.nextDouble();
      double[] p = w.clone();
      Projection.l1Ball(p, 0, p.length, kappa);
      double norm = 0;
      for (double v : p) {
        norm += Math.abs(v);
      }
      double before = 0;
      for (double v : w) {
        before += Math.abs(v);
      }
      assertTrue(norm <= Math.min(kappa, before) + 1e-12, "norm " + norm);
      double[] want = before <= kappa ? w : bisection(w, kappa);
      for (int i = 0; i < w.length; i++) {
        assertEquals(want[i], p[i], 1e-9, "entry " + i);
      }
      double[] again = p.clone();
      Projection.l1Ball(again, 0, again.length, kappa);
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], again[i], 1e-15, "idempotent");
      }
    }
  }

  /** A short run on a learnable rule: the loss falls, and after every step ‖A‖∞ ≤ κ measured on the model itself. */
  @Test
  void trainingKeepsTheNormBoundAtEveryStepAndLearns() {
    Random r = new Random(6);
    double[][] x = new double[400][8];
    int[] y = new int[400];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 8; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i] = x[i][0] + x[i][1] * x[i][2] > 0 ? 1 : 0;
    }
    Trainer.Settings s = new Trainer.Settings(new Loss.CrossEntropy(), 8, 20, 0.01, false, 0, 0.9, 7, 0, 0, Set.of(),
        1e-10);
    double[] worst = {0};
    int[] steps = {0};
    Trainer.Result res = Trainer.train(ModelShapes.dense(8, 16, 2, 1), x, y, null, null, s, new Trainer.Listener() {
      @Override
      public void step(int epoch, int batch, int batches, Supplier<ImplicitModel> model) {
        for (double v : model.get().a().rowAbsSums()) {
          worst[0] = Math.max(worst[0], v);
        }
        steps[0]++;
      }
    });
    assertEquals(8 * 20, steps[0]);
    assertTrue(worst[0] <= 0.9 + 1e-12, "‖A‖∞ reached " + worst[0]);
    List<TrainReport.Epoch> e = res.report().epochs();
    assertTrue(e.get(7).loss() < 0.7 * e.get(0).loss(), res.report().csv());
    assertTrue(e.get(7).trainAccuracy() > 0.85, res.report().csv());
  }

  @Test
  void frozenBlocksStayAsTheyWere() {
    ImplicitModel m = ModelShapes.layers(5, new int[] {4, 3}, 2, 2);
    Random r = new Random(8);
    double[][] x = new double[50][5];
    int[] y = new int[50];
    for (int i = 0; i < 50; i++) {
      for (int j = 0; j < 5; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i] = r.nextInt(2);
    }
    Trainer.Settings s = new Trainer.Settings(new Loss.CrossEntropy(), 2, 10, 0.05, true, 0.9, null, 3, 0, 0,
        Set.of("B", "C(0,0)"), 1e-10);
    ImplicitModel out = Trainer.train(m, x, y, null, null, s, null).model();
    assertTrue(java.util.Arrays.equals(((DenseMatrix) m.b().blocks().get(0).op()).toArray(),
        ((DenseMatrix) out.b().blocks().get(0).op()).toArray()), "B frozen");
    assertTrue(java.util.Arrays.equals(((DenseMatrix) m.c().blocks().get(0).op()).toArray(),
        ((DenseMatrix) out.c().blocks().get(0).op()).toArray()), "C frozen");
    assertTrue(!java.util.Arrays.equals(((DenseMatrix) m.a().blocks().get(0).op()).toArray(),
        ((DenseMatrix) out.a().blocks().get(0).op()).toArray()), "A trained");
  }
}
