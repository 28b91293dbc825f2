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
    double[] x = map.constant; // solved in place: the residual check rebuilds its own constant term
    int chunk = chunk(n, batch);
    int chunks = (batch + chunk - 1) / chunk;
    long work = (long) chunk * Math.max(n, model.a().storedValues()); // per chunk: its states and A's entries
    java.util.concurrent.atomic.AtomicBoolean nonFinite = new java.util.concurrent.atomic.AtomicBoolean();
    org.implicit4j.linalg.Parallel.forEach(chunks, work, c -> {
      int from = c * chunk;
      int count = Math.min(chunk, batch - from);
      substitute(model, x, from, count);
      // checked while the chunk is in cache (a whole batch of ResNet-20 states is 386 MB)
      if (options.measureResidual() && hasNonFinite(x, from * n, (from + count) * n)) {
        nonFinite.set(true);
      }
    });
    double[] res = options.measureResidual() ? residual(model, inputs, x, batch) : new double[2];
    // Exact up to rounding: only a NaN/Inf (overflow in the weights or inputs) can fail here.
    boolean ok = Double.isFinite(res[0]) && !nonFinite.get();
    int checked = options.measureResidual() ? Math.min(batch, 2) : 0;
    SolveReport report = ConvergenceException.requireConverged(
        new SolveReport(name(), 0, res[0], res[1], ok, batch, checked));
    return new Solution(x, map.predict(x), n, model.q(), batch, report);
  }

  /**
   * Samples solved together: all of them, unless their states outgrow a cache-sized budget (4 MB)
   * while more samples than threads remain; then chunks, one sample's blocks after another in cache
   * instead of every block streaming the whole batch through memory.
   */
  private static int chunk(int n, int batch) {
    int threads = Runtime.getRuntime().availableProcessors();
    long fit = Math.max(1, (4L << 20) / (8L * Math.max(1, n)));
    if (batch <= threads || (long) batch <= fit) {
      return Math.max(1, batch);
    }
    return (int) Math.min(fit, (batch + threads - 1) / threads);
  }

  /** Back-substitution of samples [from, from + count), in place in x. */
  private static void substitute(ImplicitModel model, double[] x, int from, int count) {
    int n = model.n();
    for (int i = model.states().size() - 1; i >= 0; i--) {
      // Row block i reads only column blocks j > i, which are final; rows and columns are disjoint.
      model.a().multAddRow(i, x, from * n, n, x, from * n, n, count);
      StateBlock blk = model.states().get(i);
      for (int s = from; s < from + count; s++) {
        blk.activation().applyInPlace(x, s * n + blk.offset(), blk.size());
      }
    }
  }

  /**
   * {abs, rel} residual of g at the first and the last sample, each re-evaluated as a batch of one:
   * a check of the exact solve at a fraction of its cost.
   */
  private static double[] residual(ImplicitModel model, double[] inputs, double[] x, int batch) {
    int n = model.n();
    int p = model.p();
    double abs = 0;
    double rel = 0;
    for (int s : batch == 1 ? new int[] {0} : new int[] {0, batch - 1}) {
      FixedPointMap one = new FixedPointMap(model, java.util.Arrays.copyOfRange(inputs, s * p, (s + 1) * p), 1);
      double[] xs = java.util.Arrays.copyOfRange(x, s * n, (s + 1) * n);
      double[] gx = new double[n];
      one.apply(xs, gx);
      abs = Math.max(abs, FixedPointMap.maxAbsDiff(gx, xs));
      rel = Math.max(rel, one.blockRelativeResidual(xs, gx));
    }
    return new double[] {abs, rel};
  }

  private static boolean hasNonFinite(double[] x, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Double.isFinite(x[i])) {
        return true;
      }
    }
    return false;
  }
}
