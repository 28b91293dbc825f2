package org.implicit4j.solve;

import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.SolveReport;

/**
 * Gradients by the implicit function theorem (El Ghaoui et al. §6; docs/MATHS.md §6). At an
 * equilibrium x = φ(z), z = Ax + Bu + b, with Ψ = φ'(z), the adjoint V of an output cotangent G
 * solves V = Ψ ⊙ (AᵀV + CᵀG); then ∂⟨G, ŷ⟩/∂u = BᵀV + DᵀG and ∂⟨G, ŷ⟩/∂A = VXᵀ.
 *
 * <p>For strictly block upper-triangular A, Aᵀ is strictly block lower triangular and V is one
 * forward substitution over the blocks (exact); otherwise V is the Picard iteration of the adjoint
 * map, which converges when λpf(|A|) &lt; 1 and |φ'| ≤ 1.
 */
public final class Adjoint {
  private Adjoint() {}

  /**
   * The adjoint state and the input gradient for a batch.
   *
   * @param v batch × n adjoint states V
   * @param inputGradient batch × p values BᵀV + DᵀG
   * @param psi batch × n derivatives φ'(z) at the equilibrium
   */
  public record Result(double[] v, double[] inputGradient, double[] psi, SolveReport report) {}

  /**
   * V and ∇u for outputs cotangents {@code g} (batch × q) at the equilibrium {@code x} (batch × n)
   * of inputs {@code u} (batch × p).
   *
   * A product block x = (φa(a) ⊙ φb(b), 0) passes its products' cotangent to both halves of its
   * preactivation (a, b), scaled by φa'(a)φb(b) and φa(a)φb'(b); its unused half is always 0.
   */
  public static Result solve(ImplicitModel m, double[] u, double[] x, double[] g, int batch, SolverOptions o) {
    DimensionMismatchException.check("adjoint", "cotangent values", g.length, "batch·q", (long) batch * m.q());
    DimensionMismatchException.check("adjoint", "state values", x.length, "batch·n", (long) batch * m.n());
    double[] psi = derivatives(m, u, x, batch);
    int n = m.n();
    double[] ctg = new double[batch * n];
    m.c().multTransAdd(g, 0, m.q(), ctg, 0, n, batch);
    double[] v;
    SolveReport rep;
    if (m.isStrictlyUpperTriangular()) {
      v = forwardSubstitute(m, psi, ctg, batch);
      rep = new SolveReport("adjoint forward substitution", 0, 0, 0, true, batch);
    } else {
      double[][] vr = iterate(m, psi, ctg, batch, o);
      v = vr[0];
      rep = ConvergenceException.requireConverged(new SolveReport("adjoint picard", (int) vr[1][0], vr[1][1],
          vr[1][1], vr[1][1] <= o.tolerance(), batch));
    }
    double[] grad = new double[batch * m.p()];
    m.b().multTransAdd(v, 0, n, grad, 0, m.p(), batch);
    m.d().multTransAdd(g, 0, m.q(), grad, 0, m.p(), batch);
    return new Result(v, grad, psi, rep);
  }

  /**
   * Ψ = φ'(Ax + Bu + b), batch × n; for a product block, φa'(a)φb(b) in its first half and
   * φa(a)φb'(b) in its second (see {@link #shareProductCotangents}).
   */
  static double[] derivatives(ImplicitModel m, double[] u, double[] x, int batch) {
    int n = m.n();
    double[] z = new double[batch * n];
    for (int s = 0; s < batch; s++) {
      m.stateBiasInto(z, s * n);
    }
    m.a().multAdd(x, 0, n, z, 0, n, batch);
    m.b().multAdd(u, 0, m.p(), z, 0, n, batch);
    for (StateBlock blk : m.states()) {
      Activation a = blk.activation();
      if (a instanceof Activation.GatedProduct gp) {
        productDerivatives(gp, z, blk, n, batch);
        continue;
      }
      for (int s = 0; s < batch; s++) {
        int o = s * n + blk.offset();
        for (int i = o; i < o + blk.size(); i++) {
          z[i] = a.derivative(z[i]);
        }
      }
    }
    return z;
  }

  /** ∂(φa(a)φb(b))/∂a and /∂b in place of the block's preactivation (a, b). */
  private static void productDerivatives(Activation.GatedProduct gp, double[] z, StateBlock blk, int n, int batch) {
    int h = blk.size() / 2;
    for (int s = 0; s < batch; s++) {
      int o = s * n + blk.offset();
      for (int i = o; i < o + h; i++) {
        double a = z[i];
        double b = z[i + h];
        z[i] = gp.a().derivative(a) * gp.b().apply(b);
        z[i + h] = gp.a().apply(a) * gp.b().derivative(b);
      }
    }
  }

  /**
   * For product block i: its preactivation's second half (b) receives the cotangent of the
   * products, which sit in the first half; what reached the unused (always 0) second half is dropped.
   */
  private static void shareProductCotangents(ImplicitModel m, int i, double[] acc, int batch) {
    StateBlock blk = m.states().get(i);
    if (!(blk.activation() instanceof Activation.GatedProduct)) {
      return;
    }
    int h = blk.size() / 2;
    for (int s = 0; s < batch; s++) {
      int o = s * m.n() + blk.offset();
      System.arraycopy(acc, o, acc, o + h, h);
    }
  }

  /** Block i in order: V_i = Ψ_i ⊙ (CᵀG + Σ_{j&lt;i} A_jiᵀ V_j), pushed from each finished V_i. */
  private static double[] forwardSubstitute(ImplicitModel m, double[] psi, double[] ctg, int batch) {
    BlockMatrix a = m.a();
    int n = m.n();
    double[] v = new double[ctg.length];
    double[] acc = ctg; // CᵀG plus the contributions pushed so far
    for (int i = 0; i < a.rowBlocks(); i++) {
      int off = a.rowOffset(i);
      int len = a.rowSize(i);
      shareProductCotangents(m, i, acc, batch);
      for (int s = 0; s < batch; s++) {
        for (int q = s * n + off; q < s * n + off + len; q++) {
          v[q] = psi[q] * acc[q];
        }
      }
      for (BlockMatrix.Block b : a.row(i)) {
        b.op().multTransAdd(v, off, n, acc, a.colOffset(b.col()), n, batch);
      }
    }
    return v;
  }

  /** V ← Ψ ⊙ (AᵀV + CᵀG) until the change is below the tolerance (relative to ‖V‖∞); returns {V, {iterations, residual}}. */
  private static double[][] iterate(ImplicitModel m, double[] psi, double[] ctg, int batch, SolverOptions o) {
    BlockMatrix a = m.a();
    int n = m.n();
    double[] v = new double[ctg.length];
    double[] next = new double[ctg.length];
    double res = Double.POSITIVE_INFINITY;
    int it = 0;
    while (it < o.maxIterations()) {
      System.arraycopy(ctg, 0, next, 0, ctg.length);
      a.multTransAdd(v, 0, n, next, 0, n, batch);
      for (int i = 0; i < m.states().size(); i++) {
        shareProductCotangents(m, i, next, batch);
      }
      double diff = 0;
      double size = 0;
      for (int i = 0; i < next.length; i++) {
        next[i] *= psi[i];
        diff = Math.max(diff, Math.abs(next[i] - v[i]));
        size = Math.max(size, Math.abs(next[i]));
      }
      double[] t = v;
      v = next;
      next = t;
      it++;
      res = size == 0 ? diff : diff / size;
      if (!(res > o.tolerance())) {
        break;
      }
    }
    if (Double.isNaN(res)) {
      res = Double.POSITIVE_INFINITY;
    }
    return new double[][] {v, {it, res}};
  }

}
