package org.implicit4j.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.AttackReport;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Adjoint;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;

/**
 * Sparse bounded attacks on a labelled data set (El Ghaoui et al. §4; docs/MATHS.md §5): for each
 * budget k, at most k inputs of each sample change, each within |u_j − u₀_j| ≤ σ_j and the valid
 * range [lo, hi]. Every attacked input is re-predicted to decide whether it is misclassified.
 *
 * <ul>
 *   <li>{@link Method#SENSITIVITY}: the k inputs with the largest S_cj·σ_j for the attacked class c
 *       (the true class, or a fixed target) move to u₀_j ± σ_j with a random (seeded) sign;
 *   <li>{@link Method#GRADIENT}: the k inputs with the largest |∂(ŷ_t − ŷ_y)/∂u_j|·σ_j at u₀ (t the
 *       strongest other class, gradient by the adjoint equation) move by σ_j in the gradient's sign;
 *   <li>{@link Method#LP}: the LP relaxation's u for each target t (closest first), kept on its k
 *       largest changes, until one misclassifies.
 * </ul>
 */
public final class Attacks {
  /** Inputs solved together. */
  static final int BATCH = 128;

  /** The three attacks. */
  public enum Method { SENSITIVITY, LP, GRADIENT }

  /**
   * One attack run.
   *
   * @param sigma the box half-width per input (length p)
   * @param target the class the sensitivity attack targets, or −1 for each sample's true class
   */
  public record Settings(Method method, int[] ks, double[] sigma, double lo, double hi, long seed, int target) {}

  /** Receives each attacked input (e.g. to write it out) with the class predicted for it. */
  @FunctionalInterface
  public interface Sink {
    void accept(int k, int sample, double[] attacked, int predicted);
  }

  private Attacks() {}

  /** Runs the attack over every sample and budget; {@code progress} is told of the samples done. */
  public static AttackReport run(ImplicitModel m, double[][] x, int[] labels, Settings s, Sink sink,
      IntConsumer progress) {
    Robustness.requireBoundable(m);
    Attacker attacker = switch (s.method()) {
      case SENSITIVITY -> new SensitivityAttacker(Robustness.sensitivity(m), s);
      case GRADIENT -> new GradientAttacker(m, s);
      case LP -> new LpAttacker(m, s);
    };
    int[] correct = new int[s.ks().length];
    int[] flipped = new int[s.ks().length];
    int clean = 0;
    for (int from = 0; from < x.length; from += BATCH) {
      int to = Math.min(x.length, from + BATCH);
      double[][] u0 = Arrays.copyOfRange(x, from, to);
      Solution sol = Solvers.solve(m, flatten(u0), u0.length);
      attacker.prepare(u0, sol, Arrays.copyOfRange(labels, from, to));
      for (int i = 0; i < u0.length; i++) {
        clean += Solution.argmax(sol.output(i)) == labels[from + i] ? 1 : 0;
      }
      for (int kk = 0; kk < s.ks().length; kk++) {
        double[][] attacked = new double[u0.length][];
        for (int i = 0; i < u0.length; i++) {
          boolean right = Solution.argmax(sol.output(i)) == labels[from + i];
          attacked[i] = right ? attacker.attack(i, s.ks()[kk]) : u0[i].clone();
        }
        Solution after = Solvers.solve(m, flatten(attacked), attacked.length);
        for (int i = 0; i < u0.length; i++) {
          int pred = Solution.argmax(after.output(i));
          boolean wasRight = Solution.argmax(sol.output(i)) == labels[from + i];
          correct[kk] += pred == labels[from + i] ? 1 : 0;
          flipped[kk] += wasRight && pred != labels[from + i] ? 1 : 0;
          if (sink != null) {
            sink.accept(s.ks()[kk], from + i, attacked[i], pred);
          }
        }
      }
      if (progress != null) {
        progress.accept(to);
      }
    }
    List<AttackReport.Row> rows = new ArrayList<>();
    for (int kk = 0; kk < s.ks().length; kk++) {
      rows.add(new AttackReport.Row(s.ks()[kk], clean, flipped[kk], (double) correct[kk] / Math.max(1, x.length),
          clean == 0 ? 0 : (double) flipped[kk] / clean));
    }
    double sigma = Arrays.stream(s.sigma()).max().orElse(0);
    return new AttackReport(s.method().name().toLowerCase(java.util.Locale.ROOT), sigma, x.length,
        (double) clean / Math.max(1, x.length), rows);
  }

  /** One attack's per-batch state and per-sample move. */
  private abstract static class Attacker {
    final Settings s;
    double[][] u0;
    Solution sol;
    int[] labels;

    Attacker(Settings s) {
      this.s = s;
    }

    void prepare(double[][] u0, Solution sol, int[] labels) {
      this.u0 = u0;
      this.sol = sol;
      this.labels = labels;
    }

    abstract double[] attack(int i, int k);

    /** u₀ with the inputs {@code chosen} moved to u₀_j + dir_j·σ_j, clipped to the range. */
    double[] move(int i, int[] chosen, double[] dir) {
      double[] u = u0[i].clone();
      for (int j : chosen) {
        u[j] = Math.max(s.lo(), Math.min(s.hi(), u[j] + Math.signum(dir[j]) * s.sigma()[j]));
      }
      return u;
    }
  }

  private static final class SensitivityAttacker extends Attacker {
    private final SensitivityMatrix sens;

    SensitivityAttacker(SensitivityMatrix sens, Settings s) {
      super(s);
      this.sens = sens;
    }

    @Override
    double[] attack(int i, int k) {
      int c = s.target() >= 0 ? s.target() : labels[i];
      double[] w = sens.row(c);
      for (int j = 0; j < w.length; j++) {
        w[j] *= s.sigma()[j];
      }
      Random r = new Random(s.seed() * 1_000_003L + i + 31L * k);
      double[] dir = new double[w.length];
      for (int j = 0; j < dir.length; j++) {
        dir[j] = r.nextBoolean() ? 1 : -1;
      }
      return move(i, topK(w, k), dir);
    }
  }

  private static final class GradientAttacker extends Attacker {
    private final ImplicitModel m;
    private double[] grad;

    GradientAttacker(ImplicitModel m, Settings s) {
      super(s);
      this.m = m;
    }

    /** ∇u of ŷ_t − ŷ_y at u₀ for the whole batch, t the strongest class other than the label y. */
    @Override
    void prepare(double[][] u0, Solution sol, int[] labels) {
      super.prepare(u0, sol, labels);
      int q = m.q();
      double[] g = new double[u0.length * q];
      for (int i = 0; i < u0.length; i++) {
        double[] y = sol.output(i);
        int t = runnerUp(y, labels[i]);
        g[i * q + t] += 1;
        g[i * q + labels[i]] -= 1;
      }
      grad = Adjoint.solve(m, flatten(u0), sol.states(), g, u0.length, SolverOptions.defaults()).inputGradient();
    }

    @Override
    double[] attack(int i, int k) {
      double[] gi = Arrays.copyOfRange(grad, i * m.p(), (i + 1) * m.p());
      double[] w = new double[gi.length];
      for (int j = 0; j < w.length; j++) {
        w[j] = Math.abs(gi[j]) * s.sigma()[j];
      }
      return move(i, topK(w, k), gi);
    }
  }

  private static final class LpAttacker extends Attacker {
    private final ImplicitModel m;
    private final LpRelaxation lp;
    private double[] sigmaX;

    LpAttacker(ImplicitModel m, Settings s) {
      super(s);
      this.m = m;
      this.lp = LpRelaxation.of(m);
    }

    @Override
    void prepare(double[][] u0, Solution sol, int[] labels) {
      super.prepare(u0, sol, labels);
      double[] sig = new double[u0.length * m.p()];
      for (int i = 0; i < u0.length; i++) {
        System.arraycopy(s.sigma(), 0, sig, i * m.p(), m.p());
      }
      sigmaX = Robustness.stateBounds(m, sig, u0.length);
    }

    @Override
    double[] attack(int i, int k) {
      double[] y = sol.output(i);
      int top = Solution.argmax(y);
      LpRelaxation.Box box = new LpRelaxation.Box(u0[i], s.sigma(), s.lo(), s.hi());
      double[] sx = Arrays.copyOfRange(sigmaX, i * m.n(), (i + 1) * m.n());
      double[] best = u0[i].clone();
      Integer[] targets = IntStream.range(0, y.length).filter(t -> t != top).boxed().toArray(Integer[]::new);
      Arrays.sort(targets, Comparator.comparingDouble(t -> -y[t]));
      for (int t : targets) {
        LpRelaxation.Result r = lp.solve(new LpRelaxation.Query(box, sol.state(i), sx, k, top, t),
            LpRelaxation.Backend.GLOP);
        if (!r.optimal()) {
          continue;
        }
        double[] change = new double[r.u().length];
        for (int j = 0; j < change.length; j++) {
          change[j] = s.sigma()[j] > 0 ? Math.abs(r.u()[j] - u0[i][j]) / s.sigma()[j] : 0;
        }
        double[] u = u0[i].clone();
        for (int j : topK(change, k)) {
          u[j] = r.u()[j];
        }
        best = u;
        if (Solution.argmax(Solvers.solve(m, u, 1).output(0)) != labels[i]) {
          return u;
        }
      }
      return best;
    }
  }

  /** Indices of the k largest entries (ties by index), only those above 0. */
  static int[] topK(double[] w, int k) {
    return IntStream.range(0, w.length).boxed().filter(j -> w[j] > 0)
        .sorted(Comparator.comparingDouble((Integer j) -> -w[j]).thenComparingInt(j -> j)).limit(k)
        .mapToInt(Integer::intValue).toArray();
  }

  static int runnerUp(double[] y, int label) {
    int best = -1;
    for (int t = 0; t < y.length; t++) {
      if (t != label && (best < 0 || y[t] > y[best])) {
        best = t;
      }
    }
    return best;
  }

  /** Rows as one sample-major array; the same as io's Csv.flatten, which analysis may not import. */
  private static double[] flatten(double[][] rows) {
    int p = rows.length == 0 ? 0 : rows[0].length;
    double[] f = new double[rows.length * p];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, f, i * p, p);
    }
    return f;
  }
}
