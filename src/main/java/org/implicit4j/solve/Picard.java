package org.implicit4j.solve;

import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.SolveReport;

/**
 * Picard iteration x(t+1) = φ(A x(t) + Bu + b) from x(0) = 0. Converges when φ is non-expansive
 * and ‖A‖∞ &lt; 1 (error ≤ ‖A‖∞ᵗ ‖x*‖∞), and in at most depth steps for strictly triangular A.
 */
public final class Picard implements Solver {
  private final SolverOptions options;

  public Picard(SolverOptions options) {
    this.options = options;
  }

  @Override public String name() { return "picard"; }

  @Override
  public Solution solve(ImplicitModel model, double[] inputs, int batch) {
    FixedPointMap map = new FixedPointMap(model, inputs, batch);
    double[] x = map.zeros();
    double[] gx = new double[x.length];
    double abs = Double.NaN;
    double rel = Double.NaN;
    int it = 0;
    while (it < options.maxIterations()) {
      map.apply(x, gx);
      it++;
      abs = FixedPointMap.maxAbsDiff(gx, x);
      rel = map.blockRelativeResidual(x, gx);
      double[] t = x;
      x = gx;
      gx = t;
      if (rel <= options.tolerance()) {
        return done(map, x, it, abs, rel, true);
      }
      if (Double.isNaN(abs) || Double.isInfinite(abs)) {
        break;
      }
    }
    return done(map, x, it, abs, rel, false);
  }

  private Solution done(FixedPointMap map, double[] x, int it, double abs, double rel, boolean ok) {
    SolveReport report = ConvergenceException.requireConverged(new SolveReport(name(), it, abs, rel, ok, map.batch));
    return new Solution(x, map.predict(x), map.n, map.model.q(), map.batch, report);
  }
}
