package org.implicit4j.analysis;

import java.util.Arrays;
import org.implicit4j.linalg.LinearOperator;

/**
 * The Perron–Frobenius root λpf(M) of a non-negative matrix M, from mat-vecs only.
 *
 * <p>For any v &gt; 0 the Collatz–Wielandt bounds min_i (Mv)_i/v_i ≤ λpf(M) ≤ max_i (Mv)_i/v_i hold,
 * so every estimate returned is a certified interval [lower, upper]. The iteration is power iteration
 * on the shifted matrix I + M (same Perron vector, primitive when M is irreducible, so periodic
 * matrices such as permutations converge too). A nilpotent M is detected exactly: Mᵏ1 becomes 0.
 *
 * @param value the estimate used for verdicts: the upper bound (conservative)
 * @param vector the final positive iterate (approximate Perron vector), normalised to max 1
 */
public record PerronRoot(double value, double lower, double upper, int iterations, boolean exact, double[] vector) {

  /** Nilpotency probe length: a chain longer than this falls through to the power iteration. */
  private static final int NILPOTENT_PROBE = 256;

  /** The one setting every analysis uses: the interval is closed to 1e-12 relative, within 20,000 mat-vecs. */
  public static final double TOLERANCE = 1e-12;
  public static final int MAX_ITERATIONS = 20_000;

  /** λpf(M) with the project's setting ({@link #TOLERANCE}, {@link #MAX_ITERATIONS}). */
  public static PerronRoot of(LinearOperator nonNegative) {
    return of(nonNegative, TOLERANCE, MAX_ITERATIONS);
  }

  /** Estimates λpf(M) until upper − lower ≤ tol·max(1, upper) or maxIterations mat-vecs. */
  public static PerronRoot of(LinearOperator nonNegative, double tol, int maxIterations) {
    int n = nonNegative.rows();
    if (n == 0) {
      return new PerronRoot(0, 0, 0, 0, true, new double[0]);
    }
    double[] v = new double[n];
    Arrays.fill(v, 1.0);
    double[] w = new double[n];
    for (int k = 1; k <= Math.min(n, NILPOTENT_PROBE); k++) {
      Arrays.fill(w, 0);
      nonNegative.multAdd(v, 0, n, w, 0, n, 1);
      if (allZero(w)) {
        return new PerronRoot(0, 0, 0, k, true, new double[n]);
      }
      double m = max(w);
      if (!Double.isFinite(m)) {
        break;
      }
      for (int i = 0; i < n; i++) {
        v[i] = w[i] / m;
      }
      if (allPositive(v)) {
        break;
      }
    }
    Arrays.fill(v, 1.0);
    double lower = 0;
    double upper = Double.POSITIVE_INFINITY;
    int it = 0;
    while (it < maxIterations) {
      Arrays.fill(w, 0);
      nonNegative.multAdd(v, 0, n, w, 0, n, 1);
      it++;
      double lo = Double.POSITIVE_INFINITY;
      double hi = 0;
      for (int i = 0; i < n; i++) {
        double r = w[i] / v[i];
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
      lower = Math.max(lower, lo);
      upper = Math.min(upper, hi);
      if (upper - lower <= tol * Math.max(1, upper)) {
        break;
      }
      double m = 0;
      for (int i = 0; i < n; i++) {
        v[i] += w[i];
        m = Math.max(m, v[i]);
      }
      for (int i = 0; i < n; i++) {
        // Floor keeps v > 0 so that the Collatz–Wielandt ratios stay defined.
        v[i] = Math.max(v[i] / m, 1e-300);
      }
    }
    return new PerronRoot(upper, lower, upper, it, upper - lower == 0, v.clone());
  }

  private static boolean allZero(double[] a) {
    for (double d : a) {
      if (d != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean allPositive(double[] a) {
    for (double d : a) {
      if (!(d > 0)) {
        return false;
      }
    }
    return true;
  }

  private static double max(double[] a) {
    double m = 0;
    for (double d : a) {
      m = Math.max(m, d);
    }
    return m;
  }
}
