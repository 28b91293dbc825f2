package org.implicit4j.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.analysis.PerronRoot;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.RescaleReport;
import org.implicit4j.solve.Picard;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;

public class RescalerTest {
  /** ‖A‖∞ from the materialised sparse matrix: independent of the operators' own row-sum code. */
  public static double independentNormInf(ImplicitModel m) {
    CsrMatrix a = m.a().toSparse();
    double[] v = a.valuesCopy();
    int[] ptr = a.indptrCopy();
    double best = 0;
    for (int i = 0; i < a.rows(); i++) {
      double s = 0;
      for (int k = ptr[i]; k < ptr[i + 1]; k++) {
        s += Math.abs(v[k]);
      }
      best = Math.max(best, s);
    }
    return best;
  }

  /** Asserts predictions agree within rel·max(1,|y|) on the given inputs. */
  public static void assertSamePredictions(ImplicitModel a, ImplicitModel b, double[] u, int batch, double rel) {
    double[] ya = Solvers.solve(a, u, batch).outputs();
    double[] yb = Solvers.solve(b, u, batch).outputs();
    for (int i = 0; i < ya.length; i++) {
      assertEquals(ya[i], yb[i], rel * Math.max(1, Math.abs(ya[i])), "output " + i);
    }
  }

  @Test
  void triangularNetworksReachKappaWithIdenticalPredictions() {
    Random r = new Random(1);
    for (ImplicitModel m : new ImplicitModel[] {TestModels.Mlp.random(r, 10, 30, 20, 4).implicit(),
        TestModels.ResCnn.random(r).implicit()}) {
      double before = independentNormInf(m);
      Rescaler.Result res = Rescaler.rescale(m, 0.95);
      ImplicitModel s = res.model();
      assertTrue(independentNormInf(s) < 0.95, res.report().toString());
      assertEquals(independentNormInf(s), res.report().normAfter(), 1e-9);
      assertEquals(before, independentNormInf(m), 0, "the original is untouched");
      assertTrue(s.isStrictlyUpperTriangular());
      double[] u = TestModels.randn(r, 20 * m.p(), 1);
      assertSamePredictions(m, s, u, 20, 1e-12);
      // Ignoring triangularity, Picard converges on the rescaled model to the same prediction.
      Solution p = new Picard(SolverOptions.defaults()).solve(s, u, 20);
      double[] y = Solvers.solve(m, u, 20).outputs();
      for (int i = 0; i < y.length; i++) {
        assertEquals(y[i], p.outputs()[i], 1e-10 * Math.max(1, Math.abs(y[i])));
      }
      assertEquals(m.states().size() + 1, p.report().iterations());
    }
  }

  @Test
  void convolutionsStayStructuredAfterRescaling() {
    ImplicitModel s = Rescaler.rescale(TestModels.ResCnn.random(new Random(2)).implicit(), 0.9).model();
    assertTrue(s.a().blocks().stream().anyMatch(b -> b.op().kind().contains("conv2d")),
        "kinds: " + s.a().blocks().stream().map(b -> b.op().kind()).toList());
  }

  /**
   * |A| = D⁻¹ M D with M positive and every row sum 0.7 (so λpf = 0.7, M·1 = 0.7·1), D = diag(δ, 1, …, 1)
   * with δ chosen so that row 0 of |A| sums to exactly 3 (the others stay below 0.7); random signs.
   */
  static ImplicitModel irreducible(Random r, int n) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      double row = 0;
      for (int j = 0; j < n; j++) {
        m[i * n + j] = 0.1 + r.nextDouble();
        row += m[i * n + j];
      }
      for (int j = 0; j < n; j++) {
        m[i * n + j] *= 0.7 / row;
      }
    }
    double delta = (0.7 - m[0]) / (3 - m[0]);
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double di = i == 0 ? delta : 1;
        double dj = j == 0 ? delta : 1;
        a[i * n + j] = (r.nextBoolean() ? 1 : -1) * m[i * n + j] * dj / di;
      }
    }
    ImplicitModel.Builder bl = ImplicitModel.builder(3, 2);
    int x = bl.addState("x", n, Activation.RELU);
    bl.addA(x, x, new DenseMatrix(n, n, a));
    bl.addB(x, new DenseMatrix(n, 3, TestModels.randn(r, 3 * n, 1)));
    bl.addStateBias(x, TestModels.randn(r, n, 0.3));
    bl.addC(x, new DenseMatrix(2, n, TestModels.randn(r, 2 * n, 1)));
    return bl.build();
  }

  @Test
  void irreducibleModelAttainsThePerronRoot() {
    Random r = new Random(3);
    ImplicitModel m = irreducible(r, 25);
    assertEquals(3.0, independentNormInf(m), 1e-12);
    assertEquals(0.7, PerronRoot.of(m.a().abs(), 1e-13, 10_000).value(), 1e-9);
    Rescaler.Result res = Rescaler.rescale(m, 0.95);
    assertTrue(independentNormInf(res.model()) <= 0.7 + 1e-6, res.report().toString());
    assertEquals(RescaleReport.Method.PERRON_VECTOR, res.report().method(), res.report().methodText());
    assertSamePredictions(m, res.model(), TestModels.randn(r, 30, 1), 10, 1e-9);
  }

  @Test
  void refusesWhenPerronRootIsAtLeastOne() {
    ImplicitModel m = TestModels.randomDense(new Random(4), 10, 2, 2, 1.3, Activation.RELU, true);
    RescaleException e = assertThrows(RescaleException.class, () -> Rescaler.rescale(m, 0.95));
    assertTrue(e.getMessage().contains("\u03bbpf(|A|) = 1.3") && e.getMessage().contains("\u2265 1"), e.getMessage());
  }

  @Test
  void refusesKappaBelowThePerronRoot() {
    ImplicitModel m = TestModels.randomDense(new Random(5), 10, 2, 2, 0.8, Activation.RELU, true);
    RescaleException e = assertThrows(RescaleException.class, () -> Rescaler.rescale(m, 0.5));
    assertTrue(e.getMessage().contains("choose \u03ba > 0.8"), e.getMessage());
    assertTrue(Rescaler.rescale(m, 0.9).model().a() != m.a());
  }

  @Test
  void refusesTanhNetworkNamingTheBlocks() {
    Random r = new Random(6);
    ImplicitModel.Builder b = ImplicitModel.builder(4, 2);
    int h2 = b.addState("h2", 8, Activation.TANH);
    int h1 = b.addState("h1", 8, Activation.TANH);
    b.addA(h2, h1, new DenseMatrix(8, 8, TestModels.randn(r, 64, 2)));
    b.addB(h1, new DenseMatrix(8, 4, TestModels.randn(r, 32, 1)));
    b.addC(h2, new DenseMatrix(2, 8, TestModels.randn(r, 16, 1)));
    ImplicitModel m = b.build();
    RescaleException e = assertThrows(RescaleException.class, () -> Rescaler.rescale(m, 0.95));
    assertTrue(e.getMessage().contains("h2 (tanh)") && e.getMessage().contains("not positively homogeneous"),
        e.getMessage());
  }

  @Test
  void mixedNetworkRescalesOnlyItsHomogeneousBlocks() {
    Random r = new Random(7);
    ImplicitModel.Builder b = ImplicitModel.builder(4, 2);
    int h2 = b.addState("h2", 6, Activation.RELU);
    int h1 = b.addState("h1", 6, Activation.TANH);
    b.addA(h2, h1, new DenseMatrix(6, 6, TestModels.randn(r, 36, 3)));
    b.addB(h1, new DenseMatrix(6, 4, TestModels.randn(r, 24, 1)));
    b.addC(h2, new DenseMatrix(2, 6, TestModels.randn(r, 12, 1)));
    ImplicitModel m = b.build();
    Rescaler.Result res = Rescaler.rescale(m, 0.95);
    assertTrue(res.report().unscaledBlocks().contains("h1 (tanh)"), res.report().toString());
    assertTrue(independentNormInf(res.model()) < 0.95);
    assertSamePredictions(m, res.model(), TestModels.randn(r, 40, 1), 10, 1e-12);
    // The tanh block keeps scale 1: its A row, B row and bias are untouched (tanh(sz) ≠ s·tanh(z)).
    double[] u = TestModels.randn(r, 4, 1);
    double[] before = m.b().apply(u);
    double[] after = res.model().b().apply(u);
    StateBlock tanh = m.states().get(h1);
    assertArrayEquals(Arrays.copyOfRange(before, tanh.offset(), tanh.end()),
        Arrays.copyOfRange(after, tanh.offset(), tanh.end()), "the tanh block's rows of B must stay unscaled");
  }
}
