package org.implicit4j.report;

/**
 * How a solve went. Residuals are of the fixed-point map g(x) = φ(Ax + Bu + b) at the last
 * iterate: {@code absResidual} = max over the batch of ‖g(x) − x‖∞, and {@code relResidual} = the
 * largest blockwise relative residual ‖g(x)_b − x_b‖∞ / ‖g(x)_b‖∞ over samples and state blocks (the
 * convergence test, invariant under rescaling). {@code iterations} is 0 for the exact back-substitution.
 */
public record SolveReport(String method, int iterations, double absResidual, double relResidual,
    boolean converged, int batch) {


  @Override
  public String toString() {
    return String.format("%s: %s after %d iteration%s, residual %.3e (relative %.3e), batch %d", method,
        converged ? "converged" : "NOT converged", iterations, iterations == 1 ? "" : "s", absResidual,
        relResidual, batch);
  }
}
