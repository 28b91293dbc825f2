package org.implicit4j.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How back-substitution runs a model (its compiled solve plan): state blocks are solved from the
 * last up in {@code steps} steps, one per block except runs of max-pool tree levels, which run as
 * one pooling kernel each. {@code triangular} false: there is no plan, as back-substitution does
 * not apply (A is not strictly block upper triangular; Picard and Anderson iterate the whole map).
 */
public record SolvePlanSummary(boolean triangular, int blocks, int steps, List<PoolingKernel> kernels) {
  /** State blocks [firstBlock, lastBlock] (rows states in all) run as one pooling kernel. */
  public record PoolingKernel(int firstBlock, int lastBlock, int rows) {}

  public SolvePlanSummary {
    kernels = List.copyOf(kernels);
  }

  @Override
  public String toString() {
    if (!triangular) {
      return "none: A is not strictly block upper triangular (Picard and Anderson iterate the whole map)";
    }
    String pools = kernels.isEmpty() ? "no max-pool trees" : "max-pool trees as pooling kernels: "
        + kernels.stream().map(k -> String.format(Locale.ROOT, "blocks %d..%d (%d states)", k.lastBlock(),
            k.firstBlock(), k.rows())).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%d blocks in %d steps; %s", blocks, steps, pools);
  }
}
