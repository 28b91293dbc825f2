package org.implicit4j.train;

import java.util.Arrays;

/**
 * Euclidean projection onto the ℓ1 ball {w : ‖w‖₁ ≤ κ}, exact and sort-based (Duchi et al., ICML
 * 2008): with |w| sorted decreasingly as μ, ρ = max{j : μ_j − (Σ_{i≤j} μ_i − κ)/j > 0} and
 * θ = (Σ_{i≤ρ} μ_i − κ)/ρ, the projection is sign(w)·max(|w| − θ, 0). Applied to each row of A it
 * keeps ‖A‖∞ ≤ κ &lt; 1, the well-posedness condition training keeps (El Ghaoui et al. §6).
 */
public final class Projection {
  private Projection() {}

  /** Projects {@code w[off, off+len)} in place; returns the threshold θ (0 when already inside). */
  public static double l1Ball(double[] w, int off, int len, double kappa) {
    double norm = 0;
    for (int i = off; i < off + len; i++) {
      norm += Math.abs(w[i]);
    }
    if (norm <= kappa) {
      return 0;
    }
    double[] mu = new double[len];
    for (int i = 0; i < len; i++) {
      mu[i] = Math.abs(w[off + i]);
    }
    Arrays.sort(mu);
    double cum = 0;
    double theta = 0;
    for (int j = 1; j <= len; j++) {
      double m = mu[len - j];
      cum += m;
      double t = (cum - kappa) / j;
      if (m - t > 0) {
        theta = t;
      } else {
        break;
      }
    }
    for (int i = off; i < off + len; i++) {
      double a = Math.abs(w[i]) - theta;
      w[i] = a > 0 ? Math.copySign(a, w[i]) : 0;
    }
    return theta;
  }
}
