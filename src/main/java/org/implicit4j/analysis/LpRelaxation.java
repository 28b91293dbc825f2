package org.implicit4j.analysis;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;

/**
 * The sparse bounded LP attack of El Ghaoui et al. §4 (docs/MATHS.md §5) for models whose
 * activations are ReLU, leaky ReLU (0 ≤ α ≤ 1) or identity: for predicted class y and target t,
 *
 * <pre>
 *   max (e_t − e_y)ᵀ(Cx + Du + c)
 *   s.t. x ≥ Ax + Bu + b, x ≥ 0                  (ReLU rows; leaky: x ≥ z, x ≥ αz; identity: x = z)
 *        max(x₀ − σx, 0) ≤ x ≤ x₀ + σx           (σx of Thm 4.1, so every true equilibrium is feasible)
 *        |u − u₀| ≤ σu, lo ≤ u ≤ hi, Σ_j |u_j − u₀_j|/σu_j ≤ k.
 * </pre>
 *
 * Every equilibrium of an input in the box with at most k changed inputs satisfies the constraints,
 * so the optimum is a certified upper bound on the margin ŷ_t − ŷ_y such a perturbation can reach
 * (≤ 0 certifies robustness against t); its u, kept on its k largest changes, is the attack. Solved
 * by OR-Tools (GLOP by default).
 */
public final class LpRelaxation {
  /** OR-Tools solvers that take this LP. */
  public enum Backend { GLOP, PDLP, SCIP }

  /** The input box: u₀, σu (per input), and the valid range [lo, hi] of every input. */
  public record Box(double[] u0, double[] sigma, double lo, double hi) {}

  /**
   * One LP: the box, the state bounds x₀ ± σx, the budget k, the predicted class and the target.
   */
  public record Query(Box box, double[] x0, double[] sigmaX, double k, int predicted, int target) {}

  /** The optimum of (e_t − e_y)ᵀŷ over the relaxation (NaN unless OPTIMAL), its u, and how the solve went. */
  public record Result(double optimum, double[] u, String status, long iterations, long millis) {
    public boolean optimal() {
      return status.equals("OPTIMAL");
    }
  }

  private static boolean loaded;

  private final ImplicitModel m;
  private final int[] ap;
  private final int[] ai;
  private final double[] av;
  private final int[] bp;
  private final int[] bi;
  private final double[] bv;
  private final Activation[] activation;

  private LpRelaxation(ImplicitModel m) {
    this.m = m;
    CsrMatrix a = m.a().toSparse();
    CsrMatrix b = m.b().toSparse();
    this.ap = a.indptrCopy();
    this.ai = a.indicesCopy();
    this.av = a.valuesCopy();
    this.bp = b.indptrCopy();
    this.bi = b.indicesCopy();
    this.bv = b.valuesCopy();
    this.activation = new Activation[m.n()];
    for (StateBlock s : m.states()) {
      for (int i = s.offset(); i < s.end(); i++) {
        activation[i] = s.activation();
      }
    }
  }

  /** The LP for {@code m}, its A and B rows formed once; refuses activations without a linear relaxation here. */
  public static LpRelaxation of(ImplicitModel m) {
    Robustness.requireBoundable(m);
    for (StateBlock s : m.states()) {
      Activation act = s.activation();
      boolean ok = act instanceof Activation.Relu || act instanceof Activation.Identity
          || act instanceof Activation.LeakyRelu l && l.alpha() >= 0 && l.alpha() <= 1;
      if (!ok) {
        throw new AnalysisException("the LP attack relaxes ReLU, leaky ReLU and identity blocks only; block '"
            + s.name() + "' is " + act.spec() + ". Use the sensitivity or gradient attack for this model");
      }
    }
    loadNatives();
    return new LpRelaxation(m);
  }

  private static synchronized void loadNatives() {
    if (!loaded) {
      try {
        Loader.loadNativeLibraries();
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        throw new AnalysisException("the LP attack needs OR-Tools' native library, which did not load on this "
            + "platform (" + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + e.getMessage());
      }
      loaded = true;
    }
  }

  /** Solves one query with the given backend. */
  public Result solve(Query qy, Backend backend) {
    MPSolver solver = MPSolver.createSolver(backend.name());
    if (solver == null) {
      throw new AnalysisException("OR-Tools has no " + backend + " solver in this build");
    }
    try {
      MPVariable[] x = stateVariables(solver, qy);
      MPVariable[] u = inputVariables(solver, qy);
      equilibriumRows(solver, x, u);
      objective(solver, x, u, qy);
      long t0 = System.nanoTime();
      MPSolver.ResultStatus st = solver.solve();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      boolean ok = st == MPSolver.ResultStatus.OPTIMAL;
      double[] uv = new double[u.length];
      for (int j = 0; j < u.length && ok; j++) {
        uv[j] = u[j].solutionValue();
      }
      return new Result(ok ? solver.objective().value() : Double.NaN, uv, st.name(), solver.iterations(), ms);
    } finally {
      solver.delete();
    }
  }

  private MPVariable[] stateVariables(MPSolver s, Query qy) {
    MPVariable[] x = new MPVariable[m.n()];
    for (int i = 0; i < x.length; i++) {
      double lo = qy.x0()[i] - qy.sigmaX()[i];
      if (activation[i] instanceof Activation.Relu) {
        lo = Math.max(lo, 0);
      }
      x[i] = s.makeNumVar(lo, qy.x0()[i] + qy.sigmaX()[i], "x" + i);
    }
    return x;
  }

  /** u in the box and range, and the ℓ1 budget Σ d_j ≤ k with d_j ≥ |u_j − u₀_j|/σ_j. */
  private MPVariable[] inputVariables(MPSolver s, Query qy) {
    Box box = qy.box();
    MPVariable[] u = new MPVariable[m.p()];
    MPConstraint budget = s.makeConstraint(-MPSolver.infinity(), qy.k(), "budget");
    for (int j = 0; j < u.length; j++) {
      double u0 = box.u0()[j];
      double sg = box.sigma()[j];
      double lo = Math.min(u0, Math.max(u0 - sg, box.lo()));
      double hi = Math.max(u0, Math.min(u0 + sg, box.hi()));
      u[j] = s.makeNumVar(lo, hi, "u" + j);
      if (sg > 0 && hi > lo) {
        MPVariable d = s.makeNumVar(0, 1, "d" + j);
        MPConstraint up = s.makeConstraint(-u0 / sg, MPSolver.infinity());
        up.setCoefficient(d, 1);
        up.setCoefficient(u[j], -1 / sg);
        MPConstraint down = s.makeConstraint(u0 / sg, MPSolver.infinity());
        down.setCoefficient(d, 1);
        down.setCoefficient(u[j], 1 / sg);
        budget.setCoefficient(d, 1);
      }
    }
    return u;
  }

  /** Per state: x_i − A_i x − B_i u ≥ b_i (and x_i − αz_i ≥ ..., or = b_i for identity). */
  private void equilibriumRows(MPSolver s, MPVariable[] x, MPVariable[] u) {
    double[] bias = m.stateBias();
    for (int i = 0; i < x.length; i++) {
      List<Double> slopes = new ArrayList<>(List.of(1.0));
      if (activation[i] instanceof Activation.LeakyRelu l) {
        slopes.add(l.alpha());
      }
      boolean equality = activation[i] instanceof Activation.Identity;
      for (double alpha : slopes) {
        // x_i ≥ α(A_i x + B_i u + b_i)  ⇔  x_i − αA_i x − αB_i u ≥ αb_i
        MPConstraint c = s.makeConstraint(alpha * bias[i], equality ? alpha * bias[i] : MPSolver.infinity());
        double self = 1;
        for (int k = ap[i]; k < ap[i + 1]; k++) {
          if (ai[k] == i) {
            self -= alpha * av[k];
          } else {
            c.setCoefficient(x[ai[k]], -alpha * av[k]);
          }
        }
        c.setCoefficient(x[i], self);
        for (int k = bp[i]; k < bp[i + 1]; k++) {
          c.setCoefficient(u[bi[k]], -alpha * bv[k]);
        }
      }
    }
  }

  /** max (e_t − e_y)ᵀ(Cx + Du + c). */
  private void objective(MPSolver s, MPVariable[] x, MPVariable[] u, Query qy) {
    double[] e = new double[m.q()];
    e[qy.target()] += 1;
    e[qy.predicted()] -= 1;
    double[] w = new double[m.n()];
    m.c().multTransAdd(e, 0, e.length, w, 0, w.length, 1);
    double[] v = new double[m.p()];
    m.d().multTransAdd(e, 0, e.length, v, 0, v.length, 1);
    MPObjective obj = s.objective();
    for (int i = 0; i < w.length; i++) {
      if (w[i] != 0) {
        obj.setCoefficient(x[i], w[i]);
      }
    }
    for (int j = 0; j < v.length; j++) {
      if (v[j] != 0) {
        obj.setCoefficient(u[j], v[j]);
      }
    }
    obj.setOffset(m.outputBias()[qy.target()] - m.outputBias()[qy.predicted()]);
    obj.setMaximization();
  }
}
