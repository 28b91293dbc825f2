package org.implicit4j.solve;

/**
 * How a solve went. Residuals are of the fixed-point map g(x) = φ(Ax + Bu + b) at the returned
 * state, maximised over the batch: {@code absResidual} = max ‖g(x) − x‖∞ and
 * {@code relResidual} = absResidual / max(‖x‖∞, tiny). {@code iterations} is 0 for the exact
 * back-substitution.
 */
public record SolveReport(String method, int iterations, double absResidual, double relResidual,
    boolean converged, int batch) {

  /** Returns this report, or throws {@link ConvergenceException} carrying it when not converged. */
  public SolveReport requireConverged() {
    if (!converged) {
      throw new ConvergenceException(this);
    }
    return this;
  }

  @Override
  public String toString() {
    return String.format("%s: %s after %d iteration%s, residual %.3e (relative %.3e), batch %d", method,
        converged ? "converged" : "NOT converged", iterations, iterations == 1 ? "" : "s", absResidual,
        relResidual, batch);
  }
}
