package org.implicit4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.compose.Compose;
import org.implicit4j.compose.Gain;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.Certificate;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;

/** The bounds of El Ghaoui et al. §4 against independent computations and against sampled perturbations. */
class RobustnessTest {
  /** |W| as a matrix of plain arrays. */
  private static double[][] abs(double[] w, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = Math.abs(w[i * cols + j]);
      }
    }
    return m;
  }


  @Test
  void mlpSensitivityIsTheProductOfAbsoluteWeights() {
    TestModels.Mlp mlp = TestModels.Mlp.random(new Random(1), 7, 6, 5, 3);
    SensitivityMatrix s = Robustness.sensitivity(mlp.implicit());
    double[][] want = TestModels.times(abs(mlp.w2(), 3, 5), TestModels.times(abs(mlp.w1(), 5, 6), abs(mlp.w0(), 6, 7)));
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 7; j++) {
        assertEquals(want[i][j], s.get(i, j), 1e-12, "S[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void sensitivityIsInvariantUnderRescaling() {
    ImplicitModel m = TestModels.ResCnn.random(new Random(2)).implicit();
    SensitivityMatrix before = Robustness.sensitivity(m);
    SensitivityMatrix after = Robustness.sensitivity(Rescaler.rescale(m, 0.9).model());
    for (int i = 0; i < before.values().length; i++) {
      assertEquals(before.values()[i], after.values()[i], 1e-9 * Math.max(1, before.values()[i]), "entry " + i);
    }
  }

  /** A loop (feedback around an MLP), well-posed with λpf(|A|) < 1: bounds by iteration, not substitution. */
  private static ImplicitModel loop() {
    ImplicitModel mlp = TestModels.Mlp.random(new Random(3), 6, 8, 5, 6).implicit();
    return Compose.feedback(mlp, Compose.identity(6), Gain.scalar(0.05));
  }

  @Test
  void tenThousandPerturbationsStayInsideTheBounds() {
    for (ImplicitModel m : List.of(TestModels.Mlp.random(new Random(4), 6, 8, 5, 3).implicit(), loop(),
        TestModels.randomDense(new Random(5), 12, 6, 4, 0.6, Activation.TANH))) {
      assertSound(m, 0.2, new Random(6));
    }
  }

  private static void assertSound(ImplicitModel m, double sigma, Random r) {
    double[] u0 = TestModels.randn(r, m.p(), 1);
    Solution s0 = Solvers.solve(m, u0, 1);
    double[] sig = new double[m.p()];
    Arrays.fill(sig, sigma);
    double[] sx = Robustness.stateBounds(m, sig, 1);
    double[] sy = Robustness.sensitivity(m).times(sig);
    int batch = 1000;
    for (int round = 0; round < 10; round++) {
      double[] u = new double[batch * m.p()];
      for (int i = 0; i < u.length; i++) {
        double t = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1 : -1) : 2 * r.nextDouble() - 1; // vertices too
        u[i] = u0[i % m.p()] + sigma * t;
      }
      Solution s = Solvers.solve(m, u, batch);
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < m.n(); i++) {
          assertTrue(Math.abs(s.state(b)[i] - s0.state(0)[i]) <= sx[i] * (1 + 1e-9) + 1e-12, "state " + i);
        }
        for (int i = 0; i < m.q(); i++) {
          assertTrue(Math.abs(s.output(b)[i] - s0.output(0)[i]) <= sy[i] * (1 + 1e-9) + 1e-12, "output " + i);
        }
      }
    }
  }

  @Test
  void certifiedMarginsBoundEverySampledMargin() {
    ImplicitModel m = TestModels.Mlp.random(new Random(7), 6, 8, 5, 4).implicit();
    Random r = new Random(8);
    double sigma = 0.02;
    double[] u0 = TestModels.randn(r, m.p(), 1);
    Solution s0 = Solvers.solve(m, u0, 1);
    double[] sig = new double[m.p()];
    Arrays.fill(sig, sigma);
    Certificate c = Robustness.certify(m, 0, s0.output(0), Robustness.stateBounds(m, sig, 1), sig);
    int y = c.predicted();
    for (int trial = 0; trial < 2000; trial++) {
      double[] u = u0.clone();
      for (int j = 0; j < u.length; j++) {
        u[j] += sigma * (2 * r.nextDouble() - 1);
      }
      double[] out = Solvers.solve(m, u, 1).output(0);
      for (int t = 0; t < m.q(); t++) {
        if (t != y) {
          assertTrue(out[y] - out[t] >= c.marginLowerBound()[t] - 1e-12, "margin against " + t);
        }
      }
    }
  }

  @Test
  void refusesModelsTheBoundsDoNotCover() {
    ImplicitModel gate = Compose.multiplicative(TestModels.Mlp.random(new Random(9), 4, 3, 3, 2).implicit(),
        TestModels.Mlp.random(new Random(10), 4, 3, 3, 2).implicit(), Activation.TANH, Activation.SIGMOID);
    AnalysisException e = assertThrows(AnalysisException.class, () -> Robustness.sensitivity(gate));
    assertTrue(e.getMessage().contains("'gate'") && e.getMessage().contains("gated_product"), e.getMessage());
    ImplicitModel loud = TestModels.randomDense(new Random(11), 5, 3, 2, 1.5, Activation.RELU, true);
    AnalysisException e2 = assertThrows(AnalysisException.class, () -> Robustness.sensitivity(loud));
    assertTrue(e2.getMessage().contains("\u03bbpf(|A|)"), e2.getMessage());
  }

  @Test
  void lpOptimumAgreesAcrossSolversAndBoundsSampledPerturbations() {
    ImplicitModel m = TestModels.Mlp.random(new Random(12), 8, 10, 6, 4).implicit();
    Random r = new Random(13);
    double[] u0 = TestModels.randn(r, m.p(), 1);
    Solution s0 = Solvers.solve(m, u0, 1);
    double[] sig = new double[m.p()];
    Arrays.fill(sig, 0.3);
    double[] sx = Robustness.stateBounds(m, sig, 1);
    int y = Solution.argmax(s0.output(0));
    LpRelaxation lp = LpRelaxation.of(m);
    LpRelaxation.Box box = new LpRelaxation.Box(u0, sig, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    for (int t = 0; t < m.q(); t++) {
      if (t == y) {
        continue;
      }
      LpRelaxation.Query qy = new LpRelaxation.Query(box, s0.state(0), sx, 3, y, t);
      LpRelaxation.Result glop = lp.solve(qy, LpRelaxation.Backend.GLOP);
      LpRelaxation.Result scip = lp.solve(qy, LpRelaxation.Backend.SCIP);
      assertTrue(glop.optimal() && scip.optimal(), glop.status() + " / " + scip.status());
      assertEquals(glop.optimum(), scip.optimum(), 1e-6 * Math.max(1, Math.abs(glop.optimum())), "target " + t);
      for (int trial = 0; trial < 500; trial++) {
        double[] u = u0.clone();
        List<Integer> idx = new ArrayList<>();
        for (int j = 0; j < m.p(); j++) {
          idx.add(j);
        }
        java.util.Collections.shuffle(idx, r);
        for (int j : idx.subList(0, 3)) {
          u[j] += 0.3 * (r.nextBoolean() ? 1 : 2 * r.nextDouble() - 1);
        }
        double[] out = Solvers.solve(m, u, 1).output(0);
        assertTrue(out[t] - out[y] <= glop.optimum() + 1e-9, "sampled margin above the LP bound, target " + t);
      }
    }
  }

  @Test
  void lpRefusesActivationsItCannotRelax() {
    ImplicitModel m = TestModels.randomDense(new Random(14), 5, 3, 2, 0.5, Activation.TANH);
    AnalysisException e = assertThrows(AnalysisException.class, () -> LpRelaxation.of(m));
    assertTrue(e.getMessage().contains("'x' is tanh"), e.getMessage());
  }

  /** Every attack keeps each input within the box, the range and the budget, and reports what re-predicting finds. */
  @Test
  void attacksStayInTheBoxAndReportWhatRePredictionFinds() {
    ImplicitModel m = TestModels.Mlp.random(new Random(15), 10, 12, 8, 3).implicit();
    Random r = new Random(16);
    double[][] x = new double[40][10];
    int[] labels = new int[40];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 10; j++) {
        x[i][j] = r.nextDouble();
      }
      labels[i] = Solution.argmax(Solvers.solve(m, x[i], 1).output(0));
    }
    labels[0] = (labels[0] + 1) % 3; // one misclassified sample stays as it is
    double[] sigma = new double[10];
    Arrays.fill(sigma, 0.4);
    for (Attacks.Method method : Attacks.Method.values()) {
      int[] ks = {1, 3};
      List<String> problems = new ArrayList<>();
      int[] wrong = new int[2];
      Attacks.Settings s = new Attacks.Settings(method, ks, sigma, 0, 1, 42, -1);
      var rep = Attacks.run(m, x, labels, s, (k, i, u, pred) -> {
        int changed = 0;
        for (int j = 0; j < u.length; j++) {
          changed += u[j] != x[i][j] ? 1 : 0;
          if (Math.abs(u[j] - x[i][j]) > 0.4 + 1e-12 || u[j] < 0 || u[j] > 1) {
            problems.add(method + " k=" + k + " sample " + i + " input " + j + " outside the box");
          }
        }
        if (changed > k) {
          problems.add(method + " k=" + k + " sample " + i + " changed " + changed + " inputs");
        }
        int again = Solution.argmax(Solvers.solve(m, u, 1).output(0));
        if (again != pred) {
          problems.add(method + " sample " + i + " reported " + pred + ", re-predicted " + again);
        }
        wrong[k == 1 ? 0 : 1] += again != labels[i] ? 1 : 0;
      }, null);
      assertTrue(problems.isEmpty(), problems.toString());
      for (int kk = 0; kk < 2; kk++) {
        assertEquals(1.0 - (double) wrong[kk] / x.length, rep.rows().get(kk).accuracy(), 1e-12, method + " accuracy");
      }
      assertEquals(39.0 / 40, rep.cleanAccuracy(), 1e-12);
      assertTrue(rep.rows().get(1).accuracy() <= rep.cleanAccuracy(), method + " cannot raise accuracy");
    }
  }

  @Test
  void sensitivityAttackUsesTheRowOfS() {
    ImplicitModel m = TestModels.Mlp.random(new Random(17), 5, 4, 4, 2).implicit();
    double[] row = Robustness.sensitivity(m).row(1);
    int[] top = Attacks.topK(row, 2);
    double[] sorted = row.clone();
    Arrays.sort(sorted);
    assertEquals(sorted[4], row[top[0]], 0);
    assertEquals(sorted[3], row[top[1]], 0);
  }

  @Test
  void sensitivityOfALargeSparseModelNeedsNoDenseMatrix() {
    // 3 blocks of 2,000 states: the dense (I - |A|)^-1 would hold 36 M entries; S is 2 x 50.
    ImplicitModel.Builder b = ImplicitModel.builder(50, 2);
    int s3 = b.addState("h3", 2000, Activation.RELU);
    int s2 = b.addState("h2", 2000, Activation.RELU);
    int s1 = b.addState("h1", 2000, Activation.RELU);
    Random r = new Random(18);
    b.addA(s3, s2, org.implicit4j.linalg.DiagonalMatrix.scalar(2000, 0.5));
    b.addA(s2, s1, org.implicit4j.linalg.DiagonalMatrix.scalar(2000, -2));
    b.addB(s1, new DenseMatrix(2000, 50, TestModels.randn(r, 100_000, 1)));
    b.addC(s3, new DenseMatrix(2, 2000, TestModels.randn(r, 4000, 1)));
    ImplicitModel m = b.build();
    SensitivityMatrix s = Robustness.sensitivity(m);
    // S = |C| · 0.5 · 2 · |B| = |C||B|
    double want = 0;
    DenseMatrix cm = (DenseMatrix) m.c().blocks().get(0).op();
    DenseMatrix bm = (DenseMatrix) m.b().blocks().get(0).op();
    for (int i = 0; i < 2000; i++) {
      want += Math.abs(cm.get(1, i)) * Math.abs(bm.get(i, 7));
    }
    assertEquals(want, s.get(1, 7), 1e-9 * want);
  }
}
