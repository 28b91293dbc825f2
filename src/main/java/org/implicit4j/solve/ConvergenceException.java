package org.implicit4j.solve;

import org.implicit4j.Implicit4jException;
import org.implicit4j.report.SolveReport;

/** An iterative solve stopped without meeting its tolerance; carries the iterations and residual. */
public final class ConvergenceException extends Implicit4jException {
  private final SolveReport report;

  public ConvergenceException(SolveReport report) {
    super(Category.CHECK_FAILED, "solver did not converge: " + report + (Double.isFinite(report.absResidual())
        ? "; the model may not be well-posed (see `info`): rescale it, or raise --max-iterations"
        : "; the iteration diverged, so the model is not well-posed for these inputs (see `info`): reduce the "
            + "feedback gain or the weights, or rescale it"));
    this.report = report;
  }

  /** Returns {@code report}, or throws a ConvergenceException carrying it when it did not converge. */
  public static SolveReport requireConverged(SolveReport report) {
    if (!report.converged()) {
      throw new ConvergenceException(report);
    }
    return report;
  }

  public SolveReport report() {
    return report;
  }
}
