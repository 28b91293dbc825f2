package org.implicit4j.report;

/**
 * How a solve went. Residuals are of the fixed-point map g(x) = φ(Ax + Bu + b) at the last
 * iterate: {@code absResidual} = max over the batch of ‖g(x) − x‖∞, and {@code relResidual} = the
 * largest blockwise relative residual ‖g(x)_b − x_b‖∞ / ‖g(x)_b‖∞ over samples and state blocks (the
 * convergence test, invariant under rescaling). {@code iterations} is 0 for the exact back-substitution.
 * {@code checkedSamples}: how many samples of the batch the residuals were measured on — all of them
 * for the iterative solvers; for back-substitution, whose result is exact, the first and the last
 * (a full re-evaluation would double the cost of the solve).
 */
public record SolveReport(String method, int iterations, double absResidual, double relResidual,
    boolean converged, int batch, int checkedSamples) {

  /** Residuals measured on every sample. */
  public SolveReport(String method, int iterations, double absResidual, double relResidual, boolean converged,
      int batch) {
    this(method, iterations, absResidual, relResidual, converged, batch, batch);
  }


  @Override
  public String toString() {
    String checked = checkedSamples == batch ? "" : " (residual of " + checkedSamples + " of the samples)";
    return String.format("%s: %s after %d iteration%s, residual %.3e (relative %.3e), batch %d%s", method,
        converged ? "converged" : "NOT converged", iterations, iterations == 1 ? "" : "s", absResidual,
        relResidual, batch, checked);
  }
}
