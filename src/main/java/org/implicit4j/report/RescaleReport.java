package org.implicit4j.report;

import java.util.List;
import java.util.Locale;

/**
 * What a rescale did (docs/MATHS.md §3): target κ, ‖A‖∞ before and after (row sums of |A| — or of
 * the cheap bound ≥ |A| where products of convolutions would otherwise be formed, so then upper
 * bounds), λpf(|A|) (0 for triangular A), how the weights w = 1/s were found, the range of s (as
 * log10), and the blocks left unscaled.
 */
public record RescaleReport(double kappa, double normBefore, double normAfter, double lambdaPf, Method method,
    double rho, double log10MinS, double log10MaxS, List<String> unscaledBlocks) {

  /** How the weights w were computed. */
  public enum Method {
    /** w = (I − |A|/ρ)⁻¹1 by block back-substitution (strictly triangular A), per-block exponents. */
    BACK_SUBSTITUTION,
    /** w = the Perron vector of |A| (irreducible |A|): ‖A'‖∞ = λpf(|A|). */
    PERRON_VECTOR,
    /** w = (I − |A|/ρ)⁻¹1 by the iteration w ← 1 + |A|w/ρ. */
    ITERATION
  }

  public RescaleReport {
    unscaledBlocks = List.copyOf(unscaledBlocks);
  }

  /** The method as a formula, e.g. "back-substitution w = (I − |A|/ρ)⁻¹1, ρ = 0.949050, per-block exponents". */
  public String methodText() {
    return switch (method) {
      case BACK_SUBSTITUTION -> String.format(Locale.ROOT,
          "back-substitution w = (I \u2212 |A|/\u03c1)\u207b\u00b91, \u03c1 = %.6g, per-block exponents", rho);
      case PERRON_VECTOR -> "Perron vector of |A|";
      case ITERATION -> String.format(Locale.ROOT, "iteration w \u2190 1 + |A|w/\u03c1, \u03c1 = %.6g", rho);
    };
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "rescaled to \u2016A\u2016\u221e = %.6g < \u03ba = %.3g (was %.6g; \u03bbpf(|A|) = %.4g) by %s; s in [1e%.1f, 1e%.1f]%s",
        normAfter, kappa, normBefore, lambdaPf, methodText(), log10MinS, log10MaxS,
        unscaledBlocks.isEmpty() ? "" : "; kept at scale 1 (not positively homogeneous): " + unscaledBlocks);
  }
}
