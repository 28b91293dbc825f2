package org.implicit4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.TrainReport;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;

/**
 * Trains an implicit model on labelled data (El Ghaoui et al. §6; docs/MATHS.md §6): seeded
 * mini-batches, implicit gradients ({@link Backprop}), an optional L1 penalty λ‖W‖₁ and robustness
 * penalty μ‖S‖∞ ({@link SensitivityPenalty}), Adam or SGD, and after every step each row of A
 * projected onto the ℓ1 ball of radius κ so that ‖A‖∞ ≤ κ &lt; 1 holds throughout.
 */
public final class Trainer {
  private Trainer() {}

  /**
   * @param kappa the ‖A‖∞ bound kept by projection, or null for none (strictly triangular models are
   *     well-posed without it)
   * @param l1 λ of the L1 penalty on the weights (0: none)
   * @param robust μ of the penalty μ‖S‖∞ on the sensitivity matrix (0: none)
   * @param freeze names of blocks ("A(0,1)", "C", …) or state blocks to keep fixed
   * @param tolerance fixed-point tolerance of the forward and adjoint solves
   */
  public record Settings(Loss loss, int epochs, int batchSize, double lr, boolean sgd, double momentum, Double kappa,
      long seed, double l1, double robust, Set<String> freeze, double tolerance) {
    public Settings {
      if (epochs < 1 || batchSize < 1 || !(lr > 0) || Double.isInfinite(lr)) {
        throw new IllegalArgumentException("training needs epochs \u2265 1, batch size \u2265 1 and a finite lr > 0");
      }
      if (kappa != null && !(kappa > 0 && kappa < 1)) {
        throw new IllegalArgumentException("--kappa must lie in (0, 1), got " + kappa);
      }
      if (!(l1 >= 0) || !(robust >= 0)) {
        throw new IllegalArgumentException("penalties must be \u2265 0");
      }
    }
  }

  /** Told after each step and each epoch (for progress bars, curves and checks). */
  public interface Listener {
    /** After step {@code batch} (1-based) of {@code batches} in {@code epoch}; {@code model} gives the current model. */
    default void step(int epoch, int batch, int batches, Supplier<ImplicitModel> model) {}

    default void epoch(TrainReport.Epoch e) {}
  }

  /** The trained model and its report. */
  public record Result(ImplicitModel model, TrainReport report) {}

  public static Result train(ImplicitModel init, double[][] x, int[] y, double[][] testX, int[] testY, Settings s,
      Listener listener) {
    TrainableModel tm = new TrainableModel(init, s.freeze());
    Optimizer opt = s.sgd() ? new Optimizer.Sgd(s.lr(), s.momentum()) : new Optimizer.Adam(s.lr());
    SolverOptions so = SolverOptions.defaults().withTolerance(s.tolerance()).withMeasureResidual(false);
    double norm = s.kappa() == null ? 0 : RowProjection.apply(tm, s.kappa());
    Random r = new Random(s.seed());
    List<TrainReport.Epoch> epochs = new ArrayList<>();
    int batches = (x.length + s.batchSize() - 1) / s.batchSize();
    for (int e = 1; e <= s.epochs(); e++) {
      long t0 = System.nanoTime();
      int[] order = shuffled(x.length, r);
      double lossSum = 0;
      int correct = 0;
      for (int b = 0; b < batches; b++) {
        int from = b * s.batchSize();
        int to = Math.min(x.length, from + s.batchSize());
        Backprop.BatchResult br = step(tm, x, y, order, from, to, s, so, opt);
        lossSum += br.loss() * (to - from);
        correct += br.correct();
        if (s.kappa() != null) {
          norm = RowProjection.apply(tm, s.kappa());
        }
        if (listener != null) {
          listener.step(e, b + 1, batches, () -> tm.snapshot(true));
        }
      }
      ImplicitModel now = tm.snapshot(false);
      double test = testX == null ? Double.NaN : accuracy(now, testX, testY, so);
      double nrm = s.kappa() != null ? norm : maxRowSum(now);
      TrainReport.Epoch ep = new TrainReport.Epoch(e, lossSum / x.length, (double) correct / x.length, test, nrm,
          (System.nanoTime() - t0) / 1e9);
      epochs.add(ep);
      if (listener != null) {
        listener.epoch(ep);
      }
    }
    long values = tm.slots().stream().mapToLong(sl -> sl.values().length).sum() + tm.stateBias.length
        + tm.outputBias.length;
    return new Result(tm.snapshot(true), new TrainReport(s.loss().name(), s.sgd() ? "sgd" : "adam", epochs,
        tm.frozen(), values));
  }

  private static Backprop.BatchResult step(TrainableModel tm, double[][] x, int[] y, int[] order, int from, int to,
      Settings s, SolverOptions so, Optimizer opt) {
    int p = x[0].length;
    double[] u = new double[(to - from) * p];
    int[] labels = new int[to - from];
    for (int i = from; i < to; i++) {
      System.arraycopy(x[order[i]], 0, u, (i - from) * p, p);
      labels[i - from] = y[order[i]];
    }
    tm.zeroGradients();
    ImplicitModel m = tm.snapshot(false);
    Backprop.BatchResult br = Backprop.run(tm, m, u, labels, s.loss(), so);
    if (s.robust() > 0) {
      SensitivityPenalty.accumulate(tm, m, s.robust());
    }
    opt.tick();
    for (Slot sl : tm.slots()) {
      if (s.l1() > 0) {
        for (int k = 0; k < sl.values().length; k++) {
          sl.grad()[k] += s.l1() * Math.signum(sl.values()[k]);
        }
      }
      opt.step(sl.values(), sl.grad());
    }
    opt.step(tm.stateBias, tm.stateBiasGrad);
    opt.step(tm.outputBias, tm.outputBiasGrad);
    return br;
  }

  private static double maxRowSum(ImplicitModel m) {
    double mx = 0;
    for (double v : m.a().absBound().rowSums()) {
      mx = Math.max(mx, v);
    }
    return mx;
  }

  /** Accuracy of {@code m} on a labelled set, solved in batches of 1,000. */
  public static double accuracy(ImplicitModel m, double[][] x, int[] y, SolverOptions so) {
    int correct = 0;
    int p = m.p();
    for (int from = 0; from < x.length; from += 1000) {
      int to = Math.min(x.length, from + 1000);
      double[] u = new double[(to - from) * p];
      for (int i = from; i < to; i++) {
        System.arraycopy(x[i], 0, u, (i - from) * p, p);
      }
      Solution sol = Solvers.auto(so).solve(m, u, to - from);
      correct += Backprop.correct(sol, java.util.Arrays.copyOfRange(y, from, to));
    }
    return (double) correct / x.length;
  }

  private static int[] shuffled(int n, Random r) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }
}
