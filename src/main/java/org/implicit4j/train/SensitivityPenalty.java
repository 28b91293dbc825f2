package org.implicit4j.train;

import org.implicit4j.analysis.AbsSolves;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.model.ImplicitModel;

/**
 * The gradient of the robustness penalty μ‖S‖∞, S = |C|(I − |A|)⁻¹|B| + |D| (El Ghaoui et al. §4,
 * §6): with i the row of S with the largest sum, w = (I − |A|)⁻¹|B|1 and z = (I − |A|ᵀ)⁻¹|C|ᵀe_i,
 * ∂‖S‖∞/∂|A| = zwᵀ, ∂/∂|B| = z1ᵀ, ∂/∂|C|_i = wᵀ, ∂/∂|D|_i = 1ᵀ, and ∂|M|/∂M = sign(M). Needs
 * λpf(|A|) &lt; 1, which the ‖A‖∞ ≤ κ projection (or triangular A) keeps.
 */
final class SensitivityPenalty {
  private SensitivityPenalty() {}

  static void accumulate(TrainableModel tm, ImplicitModel m, double mu) {
    int n = m.n();
    int p = m.p();
    int q = m.q();
    BlockMatrix absA = m.a().absBound();
    double[] ones = new double[p];
    java.util.Arrays.fill(ones, 1);
    double[] bw = new double[n];
    m.b().absBound().multAdd(ones, 0, p, bw, 0, n, 1);
    double[] w = AbsSolves.solve(absA, 1, bw, 1);
    double[] rows = new double[q];
    m.c().absBound().multAdd(w, 0, n, rows, 0, q, 1);
    m.d().absBound().multAdd(ones, 0, p, rows, 0, q, 1);
    int top = 0;
    for (int t = 1; t < q; t++) {
      top = rows[t] > rows[top] ? t : top;
    }
    double[] e = new double[q];
    e[top] = 1;
    double[] ce = new double[n];
    m.c().absBound().multTransAdd(e, 0, q, ce, 0, n, 1);
    double[] z = AbsSolves.solveTransposed(absA, 1, ce, 1);
    for (Slot s : tm.slots()) {
      double[] g = new double[s.values().length];
      switch (s.matrix()) {
        case 'A' -> ParamGradients.accumulate(s.original(), z, m.a().rowOffset(s.row()), n, w,
            m.a().colOffset(s.col()), n, 1, g);
        case 'B' -> ParamGradients.accumulate(s.original(), z, m.b().rowOffset(s.row()), n, ones, 0, p, 1, g);
        case 'C' -> ParamGradients.accumulate(s.original(), e, 0, q, w, m.c().colOffset(s.col()), n, 1, g);
        default -> ParamGradients.accumulate(s.original(), e, 0, q, ones, 0, p, 1, g);
      }
      for (int k = 0; k < g.length; k++) {
        s.grad()[k] += mu * Math.signum(s.values()[k]) * g[k];
      }
    }
  }
}
