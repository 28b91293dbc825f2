package org.implicit4j.train;

import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Adjoint;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;

/**
 * One batch through the implicit function theorem (El Ghaoui et al. §6; docs/MATHS.md §6): forward
 * X by the solvers, G = ∂L/∂Ŷ, the adjoint V = Ψ ⊙ (AᵀV + CᵀG), then ∇A = VXᵀ, ∇B = VUᵀ, ∇C = GXᵀ,
 * ∇D = GUᵀ, ∇b = Σ V, ∇c = Σ G, accumulated into the slots of a {@link TrainableModel}.
 */
final class Backprop {
  private Backprop() {}

  /** Loss and number of correct predictions of one batch. */
  record BatchResult(double loss, int correct) {}

  static BatchResult run(TrainableModel tm, ImplicitModel m, double[] u, int[] labels, Loss loss, SolverOptions o) {
    int batch = labels.length;
    int n = m.n();
    int p = m.p();
    int q = m.q();
    Solution sol = Solvers.auto(o).solve(m, u, batch);
    double[] g = new double[batch * q];
    double value = loss.valueAndGradient(sol.outputs(), labels, q, g);
    double[] v = Adjoint.solve(m, u, sol.states(), g, batch, o).v();
    double[] x = sol.states();
    for (Slot s : tm.slots()) {
      switch (s.matrix()) {
        case 'A' -> ParamGradients.accumulate(s.original(), v, m.a().rowOffset(s.row()), n, x,
            m.a().colOffset(s.col()), n, batch, s.grad());
        case 'B' -> ParamGradients.accumulate(s.original(), v, m.b().rowOffset(s.row()), n, u, 0, p, batch, s.grad());
        case 'C' -> ParamGradients.accumulate(s.original(), g, 0, q, x, m.c().colOffset(s.col()), n, batch, s.grad());
        default -> ParamGradients.accumulate(s.original(), g, 0, q, u, 0, p, batch, s.grad());
      }
    }
    for (int s = 0; s < batch; s++) {
      for (int k = 0; k < n; k++) {
        tm.stateBiasGrad[k] += v[s * n + k];
      }
      for (int t = 0; t < q; t++) {
        tm.outputBiasGrad[t] += g[s * q + t];
      }
    }
    return new BatchResult(value, correct(sol, labels));
  }

  static int correct(Solution sol, int[] labels) {
    int c = 0;
    for (int s = 0; s < labels.length; s++) {
      c += Solution.argmax(sol.output(s)) == labels[s] ? 1 : 0;
    }
    return c;
  }

}
