package org.implicit4j.solve;

import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.SolveReport;

/**
 * Anderson acceleration (type II, mixing β = 1) of the Picard map g, per sample: with residuals
 * f_k = g(x_k) − x_k of the last m iterates, solve min ‖Σ α_k f_k‖₂ subject to Σ α_k = 1 (through the
 * regularised Gram system (FᵀF + λI) α = 1, then normalised), and set x⁺ = Σ α_k g(x_k).
 * The mat-vecs are batched; only the small least-squares problems are per sample.
 */
public final class Anderson implements Solver {
  private final SolverOptions options;

  public Anderson(SolverOptions options) {
    this.options = options;
  }

  @Override public String name() { return "anderson"; }

  @Override
  public Solution solve(ImplicitModel model, double[] inputs, int batch) {
    FixedPointMap map = new FixedPointMap(model, inputs, batch);
    int n = map.n;
    int m = options.andersonMemory();
    double[][] gHist = new double[m][];
    double[][] fHist = new double[m][];
    double[] x = map.zeros();
    double abs = Double.NaN;
    double rel = Double.NaN;
    int it = 0;
    while (it < options.maxIterations()) {
      double[] g = new double[x.length];
      map.apply(x, g);
      it++;
      double[] f = new double[x.length];
      for (int k = 0; k < f.length; k++) {
        f[k] = g[k] - x[k];
      }
      abs = FixedPointMap.maxAbs(f);
      rel = map.blockRelativeResidual(x, g);
      if (rel <= options.tolerance()) {
        return done(map, g, it, abs, rel, true);
      }
      if (Double.isNaN(abs) || Double.isInfinite(abs)) {
        break;
      }
      int slot = (it - 1) % m;
      gHist[slot] = g;
      fHist[slot] = f;
      int used = Math.min(it, m);
      double[] next = new double[x.length];
      for (int s = 0; s < batch; s++) {
        double[] alpha = mixingWeights(fHist, used, s * n, n);
        int o = s * n;
        if (alpha == null) {
          System.arraycopy(g, o, next, o, n); // degenerate Gram system: plain Picard step
          continue;
        }
        for (int k = 0; k < used; k++) {
          double a = alpha[k];
          double[] gk = gHist[k];
          for (int i = o; i < o + n; i++) {
            next[i] += a * gk[i];
          }
        }
      }
      x = next;
    }
    return done(map, x, it, abs, rel, false);
  }

  /** α minimising ‖Σ α_k f_k‖ with Σ α_k = 1 over one sample's slice, or null if degenerate. */
  private double[] mixingWeights(double[][] fHist, int used, int off, int len) {
    double[][] h = new double[used][used];
    double trace = 0;
    for (int a = 0; a < used; a++) {
      for (int b = 0; b <= a; b++) {
        double acc = 0;
        double[] fa = fHist[a];
        double[] fb = fHist[b];
        for (int i = off; i < off + len; i++) {
          acc += fa[i] * fb[i];
        }
        h[a][b] = acc;
        h[b][a] = acc;
      }
      trace += h[a][a];
    }
    if (trace == 0) {
      return null;
    }
    double reg = options.andersonRegularization() * trace;
    for (int a = 0; a < used; a++) {
      h[a][a] += reg;
    }
    double[] alpha = SmallLinearSolve.solve(h, ones(used));
    if (alpha == null) {
      return null;
    }
    double sum = 0;
    for (double v : alpha) {
      sum += v;
    }
    if (!(Math.abs(sum) > 1e-300) || Double.isNaN(sum)) {
      return null;
    }
    for (int k = 0; k < used; k++) {
      alpha[k] /= sum;
    }
    return alpha;
  }

  private static double[] ones(int k) {
    double[] o = new double[k];
    java.util.Arrays.fill(o, 1.0);
    return o;
  }

  private Solution done(FixedPointMap map, double[] x, int it, double abs, double rel, boolean ok) {
    SolveReport report = ConvergenceException.requireConverged(new SolveReport(name(), it, abs, rel, ok, map.batch));
    return new Solution(x, map.predict(x), map.n, map.model.q(), map.batch, report);
  }
}
