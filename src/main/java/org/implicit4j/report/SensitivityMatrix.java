package org.implicit4j.report;

import java.util.Arrays;

/**
 * The sensitivity matrix S = |C|(I − |A|)⁻¹|B| + |D| of a well-posed model with componentwise
 * non-expansive activations (El Ghaoui et al. §4; docs/MATHS.md §5): for every input u,
 * |ŷ(u) − ŷ(u₀)| ≤ S|u − u₀| entrywise. Stored q × p, row-major.
 */
public record SensitivityMatrix(int q, int p, double[] values) {
  public SensitivityMatrix {
    if (values.length != (long) q * p) {
      throw new IllegalArgumentException("sensitivity: " + values.length + " values for a " + q + " x " + p + " matrix");
    }
  }

  public double get(int i, int j) {
    return values[i * p + j];
  }

  /** Row i: how much each input can move output i. */
  public double[] row(int i) {
    return Arrays.copyOfRange(values, i * p, (i + 1) * p);
  }

  /**
   * ‖S‖∞ = max_i Σ_j S_ij: the Lipschitz constant of u ↦ ŷ(u) from ‖·‖∞ to ‖·‖∞ that S certifies,
   * so ‖ŷ(u) − ŷ(u₀)‖∞ ≤ ‖S‖∞ ‖u − u₀‖∞.
   */
  public double normInf() {
    double m = 0;
    for (int i = 0; i < q; i++) {
      double s = 0;
      for (int j = 0; j < p; j++) {
        s += values[i * p + j];
      }
      m = Math.max(m, s);
    }
    return m;
  }

  /** (S σ)_i for every output: the componentwise output bound for the box |u − u₀| ≤ σ. */
  public double[] times(double[] sigma) {
    double[] r = new double[q];
    for (int i = 0; i < q; i++) {
      for (int j = 0; j < p; j++) {
        r[i] += values[i * p + j] * sigma[j];
      }
    }
    return r;
  }

  /**
   * max_i of the sum of the k largest S_ij σ_j: a bound on ‖ŷ(u) − ŷ(u₀)‖∞ over the box when at
   * most k inputs change.
   */
  public double sparseBound(double[] sigma, int k) {
    double worst = 0;
    for (int i = 0; i < q; i++) {
      double[] w = new double[p];
      for (int j = 0; j < p; j++) {
        w[j] = values[i * p + j] * sigma[j];
      }
      Arrays.sort(w);
      double s = 0;
      for (int j = p - 1; j >= Math.max(0, p - k); j--) {
        s += w[j];
      }
      worst = Math.max(worst, s);
    }
    return worst;
  }
}
