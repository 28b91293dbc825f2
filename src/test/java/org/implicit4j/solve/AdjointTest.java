package org.implicit4j.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ∇u by the adjoint equation against central finite differences of ⟨g, ŷ(u)⟩. */
class AdjointTest {
  private static double objective(ImplicitModel m, double[] u, double[] g, SolverOptions o) {
    double[] y = new Anderson(o).solve(m, u, 1).output(0);
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += g[i] * y[i];
    }
    return s;
  }

  /**
   * A product block (tanh(a) ⊙ σ(b), 2q = 6 states) fed by a tanh block of 4; with {@code loop} the
   * tanh block also reads the products back (A not triangular: the adjoint iterates).
   */
  private static ImplicitModel gated(Random r, boolean loop) {
    ImplicitModel.Builder b = ImplicitModel.builder(5, 3);
    int g = b.addState("gate", 6, new Activation.GatedProduct(Activation.TANH, Activation.SIGMOID));
    int t = b.addState("h", 4, Activation.TANH);
    b.addA(g, t, dense(r, 6, 4, 0.8)).addB(g, dense(r, 6, 5, 0.8)).addB(t, dense(r, 4, 5, 0.8));
    if (loop) {
      b.addA(t, g, dense(r, 4, 6, 0.3));
    }
    b.addStateBias(g, TestModels.randn(r, 6, 0.2)).addStateBias(t, TestModels.randn(r, 4, 0.2));
    return b.addC(g, dense(r, 3, 6, 1)).addC(t, dense(r, 3, 4, 1)).addOutputBias(TestModels.randn(r, 3, 0.1)).build();
  }

  private static org.implicit4j.linalg.DenseMatrix dense(Random r, int rows, int cols, double scale) {
    return new org.implicit4j.linalg.DenseMatrix(rows, cols, TestModels.randn(r, rows * cols, scale));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tanh", "sigmoid", "relu", "mlp", "gated", "gated loop"})
  void inputGradientMatchesFiniteDifferences(String kind) {
    Random r = new Random(kind.hashCode());
    ImplicitModel m = kind.equals("mlp") ? TestModels.Mlp.random(r, 6, 7, 5, 3).implicit()
        : kind.startsWith("gated") ? gated(r, kind.endsWith("loop"))
        : TestModels.randomDense(r, 9, 6, 3, 0.7, Activation.parse(kind));
    SolverOptions o = SolverOptions.defaults().withTolerance(1e-14);
    double[] u = TestModels.randn(r, m.p(), 1);
    double[] g = TestModels.randn(r, m.q(), 1);
    Solution s = Solvers.auto(o).solve(m, u, 1);
    Adjoint.Result a = Adjoint.solve(m, u, s.states(), g, 1, o);
    double h = 1e-6;
    for (int j = 0; j < m.p(); j++) {
      double[] up = u.clone();
      double[] dn = u.clone();
      up[j] += h;
      dn[j] -= h;
      double fd = (objective(m, up, g, o) - objective(m, dn, g, o)) / (2 * h);
      assertEquals(fd, a.inputGradient()[j], 1e-6 * Math.max(1, Math.abs(fd)), kind + " input " + j);
    }
  }
}
