package org.implicit4j.report;

import java.util.List;

/**
 * What the bounds certify for one input u₀ and box |u − u₀| ≤ σu (El Ghaoui et al. §4): for the
 * class y predicted at u₀ and every other class t, {@code marginLowerBound[t]} ≤ ŷ_y(u) − ŷ_t(u) for
 * every u in the box (NaN at t = y). Certified when every such bound is positive: no u in the box
 * changes the prediction.
 *
 * @param sample 0-based row of the input
 * @param lp per target class, the LP bound when it was asked for (empty otherwise)
 */
public record Certificate(int sample, int predicted, double[] nominal, double[] marginLowerBound, boolean certified,
    List<LpBound> lp) {

  /**
   * The LP relaxation's bound for one target t (El Ghaoui et al. §4): {@code lpBound} is the
   * maximum of ŷ_t − ŷ_y over the relaxation, an upper bound on what any perturbation in the box
   * with at most k changed inputs reaches; ≤ 0 certifies robustness against t. {@code
   * nominalMargin} is ŷ_t − ŷ_y at u₀ itself.
   */
  public record LpBound(int target, double nominalMargin, double lpBound, String status) {}
}
