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

  @ParameterizedTest
  @ValueSource(strings = {"tanh", "sigmoid", "relu", "mlp"})
  void inputGradientMatchesFiniteDifferences(String kind) {
    Random r = new Random(kind.hashCode());
    ImplicitModel m = kind.equals("mlp") ? TestModels.Mlp.random(r, 6, 7, 5, 3).implicit()
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
