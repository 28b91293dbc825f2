package org.implicit4j.api;

/**
 * What {@link Implicit#robustness} certifies.
 *
 * @param sigma the box half-width σu for every input (used when {@code sigmaRows} is null)
 * @param sigmaRows per-input boxes: one row for all inputs or one row per input (may be null)
 * @param k a budget of changed inputs for the k-sparse bound and the LP (null: no budget)
 * @param lp also solve the LP relaxation for every (input, target class) pair
 * @param lo the lower end of the valid input range (for the LP)
 * @param hi the upper end of the valid input range (for the LP)
 * @param target with {@code lp}, only this target class (null: every class but the predicted one)
 */
public record RobustOptions(double sigma, double[][] sigmaRows, Integer k, boolean lp, double lo, double hi,
    Integer target) {
  public RobustOptions {
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("--sigma must be a finite number \u2265 0, got " + sigma);
    }
    if (k != null && k < 1) {
      throw new IllegalArgumentException("--k must be \u2265 1, got " + k);
    }
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("--clip lo,hi needs lo \u2264 hi, got " + lo + "," + hi);
    }
  }

  public static RobustOptions sigma(double s) {
    return new RobustOptions(s, null, null, false, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, null);
  }

  public RobustOptions withSigmaRows(double[][] rows) {
    return new RobustOptions(sigma, rows, k, lp, lo, hi, target);
  }

  public RobustOptions withK(Integer budget) {
    return new RobustOptions(sigma, sigmaRows, budget, lp, lo, hi, target);
  }

  public RobustOptions withLp(boolean on) {
    return new RobustOptions(sigma, sigmaRows, k, on, lo, hi, target);
  }

  public RobustOptions withClip(double low, double high) {
    return new RobustOptions(sigma, sigmaRows, k, lp, low, high, target);
  }

  public RobustOptions withTarget(Integer t) {
    return new RobustOptions(sigma, sigmaRows, k, lp, lo, hi, t);
  }
}
