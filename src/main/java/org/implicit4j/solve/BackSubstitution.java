package org.implicit4j.solve;

import org.implicit4j.Implicit4jException;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.SolveReport;

/**
 * Exact solve for strictly block upper-triangular A: from the last state block up,
 * x_i = φ_i(Σ_{j>i} A_ij x_j + B_i u + b_i). Every x_j on the right is final when it is used, so
 * one pass gives the unique equilibrium (for a network, this is the forward pass).
 */
public final class BackSubstitution implements Solver {
  private final SolverOptions options;

  public BackSubstitution(SolverOptions options) {
    this.options = options;
  }

  @Override public String name() { return "back-substitution"; }

  /** Thrown when asked to back-substitute a model whose A is not strictly block upper triangular. */
  public static final class NotTriangularException extends Implicit4jException {
    NotTriangularException() {
      super(Category.BAD_INPUT, "back-substitution needs a strictly block upper-triangular A; "
          + "use --solver picard or anderson for this model");
    }
  }

  @Override
  public Solution solve(ImplicitModel model, double[] inputs, int batch) {
    if (!model.isStrictlyUpperTriangular()) {
      throw new NotTriangularException();
    }
    FixedPointMap map = new FixedPointMap(model, inputs, batch);
    int n = map.n;
    // The constant term is needed again only to measure the residual; otherwise solve in place.
    double[] x = options.measureResidual() ? map.constant.clone() : map.constant;
    for (int i = model.states().size() - 1; i >= 0; i--) {
      // Row block i reads only column blocks j > i, which are final; rows and columns are disjoint.
      model.a().multAddRow(i, x, 0, n, x, 0, n, batch);
      StateBlock blk = model.states().get(i);
      for (int s = 0; s < batch; s++) {
        blk.activation().applyInPlace(x, s * n + blk.offset(), blk.size());
      }
    }
    double abs = 0;
    double rel = 0;
    if (options.measureResidual()) {
      double[] gx = new double[x.length];
      map.apply(x, gx);
      abs = FixedPointMap.maxAbsDiff(gx, x);
      rel = map.blockRelativeResidual(x, gx);
    }
    // Exact up to rounding: only a NaN/Inf (overflow in the weights or inputs) can fail here.
    boolean ok = !Double.isNaN(abs) && !Double.isInfinite(abs);
    SolveReport report = ConvergenceException.requireConverged(new SolveReport(name(), 0, abs, rel, ok, batch));
    return new Solution(x, map.predict(x), n, model.q(), batch, report);
  }
}
