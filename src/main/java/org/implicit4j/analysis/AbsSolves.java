package org.implicit4j.analysis;

import java.util.Arrays;
import java.util.Locale;
import org.implicit4j.linalg.BlockMatrix;

/**
 * Linear solves with a non-negative block matrix U (|A| or the cheap bound {@link
 * BlockMatrix#absBound()} ≥ |A|): x = (I − U/ρ)⁻¹v and y = (I − Uᵀ/ρ)⁻¹v for ρ &gt; λpf(U).
 *
 * <p>These are the Neumann series Σ_k (U/ρ)ᵏ v, so they are non-negative for v ≥ 0 and monotone in
 * U. They serve the rescaling weights w = (I − |A|/ρ)⁻¹1 (docs/MATHS.md §3) and the robustness
 * bounds σx = (I − |A|)⁻¹|B|σu of El Ghaoui et al. §4 (docs/MATHS.md §5). When U is strictly
 * block upper triangular the solve is one block back-substitution (exact, no iteration); otherwise
 * it iterates x ← v + Ux/ρ, which converges at rate λpf(U)/ρ.
 *
 * <p>Vectors are batched: {@code v} holds {@code batch} vectors of length n one after another.
 */
public final class AbsSolves {
  /** Relative change below which the iteration stops. */
  static final double ITERATION_TOLERANCE = 1e-13;
  /** Iteration limit; reaching it means ρ ≤ λpf(U) in practice. */
  static final int MAX_ITERATIONS = 100_000;

  private AbsSolves() {}

  /**
   * x = (I − U/ρ)⁻¹ v, i.e. x = v + Ux/ρ.
   *
   * @param u (Input) non-negative, square by blocks
   * @param v (Input) batch·n values, not modified
   * @throws AnalysisException when the iteration does not converge (ρ ≤ λpf(U))
   */
  public static double[] solve(BlockMatrix u, double rho, double[] v, int batch) {
    checkRho(rho);
    return u.isStrictlyBlockUpperTriangular() ? backSubstitute(u, rho, v, batch) : iterate(u, rho, v, batch, false);
  }

  /** y = (I − Uᵀ/ρ)⁻¹ v, i.e. y = v + Uᵀy/ρ: forward substitution for triangular U, else iteration. */
  public static double[] solveTransposed(BlockMatrix u, double rho, double[] v, int batch) {
    checkRho(rho);
    return u.isStrictlyBlockUpperTriangular() ? forwardSubstitute(u, rho, v, batch) : iterate(u, rho, v, batch, true);
  }

  private static void checkRho(double rho) {
    if (!(rho > 0 && Double.isFinite(rho))) {
      throw new IllegalArgumentException("|A| solve: rho must be positive and finite, got " + rho);
    }
  }

  /** Row block i from the last up: x_i = v_i + (1/ρ) Σ_{j&gt;i} U_ij x_j. */
  private static double[] backSubstitute(BlockMatrix u, double rho, double[] v, int batch) {
    int n = u.rows();
    double[] x = v.clone();
    double[] scaled = new double[v.length];
    for (int i = u.rowBlocks() - 1; i >= 0; i--) {
      for (BlockMatrix.Block b : u.row(i)) {
        b.op().multAdd(scaled, u.colOffset(b.col()), n, x, u.rowOffset(i), n, batch);
      }
      copyScaled(x, scaled, u.rowOffset(i), u.rowSize(i), n, batch, 1 / rho);
    }
    return x;
  }

  /** Column block j in order: y_j = v_j + (1/ρ) Σ_{i&lt;j} U_ijᵀ y_i, pushed from each finished y_i. */
  private static double[] forwardSubstitute(BlockMatrix u, double rho, double[] v, int batch) {
    int n = u.rows();
    double[] y = v.clone();
    double[] scaled = new double[v.length];
    for (int i = 0; i < u.rowBlocks(); i++) {
      copyScaled(y, scaled, u.rowOffset(i), u.rowSize(i), n, batch, 1 / rho);
      for (BlockMatrix.Block b : u.row(i)) {
        b.op().multTransAdd(scaled, u.rowOffset(i), n, y, u.colOffset(b.col()), n, batch);
      }
    }
    return y;
  }

  private static void copyScaled(double[] from, double[] to, int off, int len, int n, int batch, double f) {
    for (int s = 0; s < batch; s++) {
      int base = s * n + off;
      for (int q = 0; q < len; q++) {
        to[base + q] = from[base + q] * f;
      }
    }
  }

  private static double[] iterate(BlockMatrix u, double rho, double[] v, int batch, boolean transposed) {
    int n = u.rows();
    double[] x = v.clone();
    double[] t = new double[v.length];
    for (int it = 1; it <= MAX_ITERATIONS; it++) {
      Arrays.fill(t, 0);
      if (transposed) {
        u.multTransAdd(x, 0, n, t, 0, n, batch);
      } else {
        u.multAdd(x, 0, n, t, 0, n, batch);
      }
      double change = 0;
      for (int i = 0; i < x.length; i++) {
        double nv = v[i] + t[i] / rho;
        change = Math.max(change, Math.abs(nv - x[i]) / Math.max(Math.abs(nv), Double.MIN_NORMAL));
        x[i] = nv;
      }
      if (!Double.isFinite(change)) {
        break;
      }
      if (change < ITERATION_TOLERANCE) {
        return x;
      }
    }
    throw new AnalysisException(String.format(Locale.ROOT,
        "the iteration for (I \u2212 |A|%s/\u03c1)\u207b\u00b9v with \u03c1 = %.6g did not converge: "
            + "\u03bbpf(|A|) is not below \u03c1", transposed ? "\u1d40" : "", rho));
  }

  /**
   * w = (I − U/ρ)⁻¹1 for strictly block upper-triangular U, with the blocks in {@code pinned} held at
   * w = 1, kept per block as e^{logScale_i}·mantissa_i with max mantissa_i = 1: w grows like
   * (‖U‖/ρ)^depth and overflows doubles for deep networks, while only ratios of blocks are needed.
   */
  public static LogScaled onesLogScaled(BlockMatrix u, double rho, boolean[] pinned) {
    int k = u.rowBlocks();
    double[] logScale = new double[k];
    double[][] mant = new double[k][];
    for (int i = k - 1; i >= 0; i--) {
      int size = u.rowSize(i);
      if (pinned[i] || u.row(i).isEmpty()) {
        mant[i] = new double[size];
        Arrays.fill(mant[i], 1.0);
        continue;
      }
      double top = Double.NEGATIVE_INFINITY;
      for (BlockMatrix.Block b : u.row(i)) {
        top = Math.max(top, logScale[b.col()]);
      }
      double[] t = new double[size];
      for (BlockMatrix.Block b : u.row(i)) {
        double[] wj = mant[b.col()].clone();
        double f = Math.exp(logScale[b.col()] - top) / rho;
        for (int q = 0; q < wj.length; q++) {
          wj[q] *= f;
        }
        b.op().multAdd(wj, 0, wj.length, t, 0, size, 1);
      }
      double base = Math.exp(-top);
      double mx = 0;
      for (int q = 0; q < size; q++) {
        t[q] += base;
        mx = Math.max(mx, t[q]);
      }
      for (int q = 0; q < size; q++) {
        t[q] /= mx;
      }
      mant[i] = t;
      logScale[i] = top + Math.log(mx);
    }
    return new LogScaled(logScale, mant);
  }

  /** A positive vector kept per block as w_i = e^{logScale[i]}·mantissa[i], max mantissa[i] = 1. */
  public record LogScaled(double[] logScale, double[][] mantissa) {}
}
