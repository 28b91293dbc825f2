package org.implicit4j.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.RescaleReport;

/**
 * Diagonal similarity rescaling (docs/MATHS.md §3): with S = diag(s), s &gt; 0, the model
 * (SAS⁻¹, SB, CS⁻¹, D, Sb) has state x' = Sx and predicts exactly the same ŷ(u) when every scaled
 * activation is positively homogeneous. With w = 1/s, ‖SAS⁻¹‖∞ = max_i (|A|w)_i / w_i, so:
 *
 * <ul>
 *   <li>strictly triangular A (every imported network, λpf = 0): w = (I − |A|/κ)⁻¹1 by block
 *       back-substitution, giving ‖A'‖∞ = max_i κ(1 − 1/w_i) &lt; κ;
 *   <li>irreducible |A| with λpf &lt; κ: w = the Perron vector, giving ‖A'‖∞ = λpf (the Collatz–Wielandt bound);
 *   <li>otherwise, with λpf &lt; κ: w = (I − |A|/κ)⁻¹1 by the iteration w ← 1 + |A|w/κ.
 * </ul>
 *
 * <p>w grows like (‖A‖/κ)^depth, which overflows doubles for deep networks; each block of w is kept as
 * e^{L_i}·w̃_i with max w̃_i = 1, and only ratios e^{L_j − L_i} enter A'. Scaled operators keep
 * their structure (a convolution stays kernel + diagonal scalings). Blocks whose activation is not
 * positively homogeneous (tanh, sigmoid) keep s = 1; when that prevents ‖A'‖∞ &lt; κ the rescale is
 * refused, naming them.
 */
public final class Rescaler {
  /** Below this, e^{L} would leave the range of doubles in B' or C'. */
  private static final double MAX_LOG_SCALE = 600;
  /** ρ = κ(1 − margin): the bound reached is below ρ, so strictly below κ even after rounding. */
  private static final double RHO_MARGIN = 1e-3;

  private Rescaler() {}

  /** A rescaled model and its report. */
  public record Result(ImplicitModel model, RescaleReport report) {}

  /** Weights w = 1/s per block as e^{logScale}·mantissa, and how they were found. */
  private record Weights(AbsSolves.LogScaled w, RescaleReport.Method method, double rho, double lambdaPf) {}

  /** Rescales so that ‖A'‖∞ &lt; κ without changing any prediction; throws {@link RescaleException} when impossible. */
  public static Result rescale(ImplicitModel m, double kappa) {
    if (!(kappa > 0 && kappa <= 1)) {
      throw new IllegalArgumentException("kappa must lie in (0, 1], got " + kappa);
    }
    double before = Vectors.max(m.a().absBound().rowSums());
    boolean[] pinned = unscalable(m.states());
    Weights w = m.isStrictlyUpperTriangular() ? triangularWeights(m, kappa, pinned) : perronWeights(m, kappa, pinned);
    checkRange(m.states(), w.w().logScale(), kappa);
    ImplicitModel out = apply(m, w.w().logScale(), w.w().mantissa());
    // Row sums of the bound: a certified upper bound on ‖A'‖∞ (equal to it unless products overlap).
    double after = Vectors.max(out.a().absBound().rowSums());
    List<String> unscaled = unscaledNames(m.states(), pinned);
    if (!(after < kappa)) {
      String why = unscaled.isEmpty() ? "" : "; blocks " + unscaled
          + " are not positively homogeneous, so they cannot be rescaled and their rows keep their norm";
      throw new RescaleException(String.format(Locale.ROOT,
          "cannot rescale to \u03ba = %.4g: reached \u2016A'\u2016\u221e = %.6g%s", kappa, after, why));
    }
    double[] range = log10Range(w.w());
    RescaleReport rep = new RescaleReport(kappa, before, after, w.lambdaPf(), w.method(), w.rho(), range[0], range[1],
        unscaled);
    return new Result(out.withProvenance(out.provenance().withRescaled(rep.toString())), rep);
  }

  /** Blocks whose activation is not positively homogeneous (tanh, sigmoid) keep s = 1. */
  private static boolean[] unscalable(List<StateBlock> states) {
    boolean[] pinned = new boolean[states.size()];
    for (int i = 0; i < pinned.length; i++) {
      pinned[i] = !states.get(i).activation().positivelyHomogeneous();
    }
    return pinned;
  }

  private static List<String> unscaledNames(List<StateBlock> states, boolean[] pinned) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < pinned.length; i++) {
      if (pinned[i]) {
        names.add(states.get(i).name() + " (" + states.get(i).activation().spec() + ")");
      }
    }
    return names;
  }

  /**
   * Strictly triangular A: w = (I − U/ρ)⁻¹1 with U = the cheap bound ≥ |A| (a bound suffices:
   * (|A|w)_i ≤ (Uw)_i = ρ(w_i − 1)), by block back-substitution.
   */
  private static Weights triangularWeights(ImplicitModel m, double kappa, boolean[] pinned) {
    // ‖A'‖∞ = max ρ(1 − 1/w_i) tends to ρ as w grows, so ρ sits just below κ to keep a margin
    // that rounding cannot close.
    double rho = kappa * (1 - RHO_MARGIN);
    return new Weights(AbsSolves.onesLogScaled(m.a().absBound(), rho, pinned), RescaleReport.Method.BACK_SUBSTITUTION,
        rho, 0);
  }

  /** Other A: the Perron vector of U when positive and nothing is pinned, else the iteration for (I − U/ρ)⁻¹1. */
  private static Weights perronWeights(ImplicitModel m, double kappa, boolean[] pinned) {
    // The same cheap bound U ≥ |A| as for the triangular case, so that the w found here is judged
    // by the row sums it was designed for.
    BlockMatrix bound = m.a().absBound();
    PerronRoot pf = PerronRoot.of(bound);
    refuseAbove(pf, kappa);
    double[] w = usablePerronVector(pf, pinned);
    if (w != null && scaledNorm(bound, w) < kappa) {
      return new Weights(perBlock(w, m.states()), RescaleReport.Method.PERRON_VECTOR, 0, pf.value());
    }
    double rho = Math.max(kappa * (1 - RHO_MARGIN), (pf.value() + kappa) / 2);
    w = neumannWeights(bound, m.states(), pinned, rho);
    return new Weights(perBlock(w, m.states()), RescaleReport.Method.ITERATION, rho, pf.value());
  }

  private static void refuseAbove(PerronRoot pf, double kappa) {
    if (pf.value() >= 1) {
      throw new RescaleException(String.format(Locale.ROOT,
          "cannot rescale: \u03bbpf(|A|) = %.6g \u2265 1 (Collatz\u2013Wielandt bounds [%.6g, %.6g]); no diagonal "
              + "similarity brings \u2016A\u2016\u221e below 1. Reduce the feedback gain or the weights.",
          pf.value(), pf.lower(), pf.upper()));
    }
    if (pf.value() >= kappa) {
      throw new RescaleException(String.format(Locale.ROOT,
          "cannot rescale to \u03ba = %.4g: \u03bbpf(|A|) = %.6g \u2265 \u03ba bounds every diagonal similarity; "
              + "choose \u03ba > %.6g", kappa, pf.value(), pf.value()));
    }
  }

  /** A flat w split into blocks normalised to max 1, their maxima kept as exponents. */
  private static AbsSolves.LogScaled perBlock(double[] w, List<StateBlock> states) {
    double[] logScale = new double[states.size()];
    double[][] mant = new double[states.size()][];
    for (int i = 0; i < states.size(); i++) {
      StateBlock s = states.get(i);
      double[] part = Arrays.copyOfRange(w, s.offset(), s.end());
      double mx = Vectors.max(part);
      for (int q = 0; q < part.length; q++) {
        part[q] /= mx;
      }
      mant[i] = part;
      logScale[i] = Math.log(mx);
    }
    return new AbsSolves.LogScaled(logScale, mant);
  }

  private static void checkRange(List<StateBlock> states, double[] logScale, double kappa) {
    for (int i = 0; i < logScale.length; i++) {
      if (Math.abs(logScale[i]) > MAX_LOG_SCALE) {
        throw new RescaleException(String.format(Locale.ROOT,
            "cannot rescale: the scaling of block '%s' reaches e^%.0f, beyond double precision; the network is too "
                + "deep for \u03ba = %.3g (try a \u03ba closer to 1)", states.get(i).name(), logScale[i], kappa));
      }
    }
  }

  /** [min, max] of log10 s over all states, s = 1/w. */
  private static double[] log10Range(AbsSolves.LogScaled w) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < w.logScale().length; i++) {
      for (double v : w.mantissa()[i]) {
        double log10s = -(w.logScale()[i] / Math.log(10) + Math.log10(v));
        lo = Math.min(lo, log10s);
        hi = Math.max(hi, log10s);
      }
    }
    return w.logScale().length == 0 ? new double[] {0, 0} : new double[] {lo, hi};
  }

  /** The Perron vector as weights when it is positive and no block is pinned; null if unusable. */
  private static double[] usablePerronVector(PerronRoot pf, boolean[] fixed) {
    double[] v = pf.vector();
    for (double x : v) {
      if (!(x > 1e-200)) {
        return null;
      }
    }
    for (int i = 0; i < fixed.length; i++) {
      if (fixed[i]) {
        return null; // the Perron vector is optimal only when every block may scale
      }
    }
    return v;
  }

  /** w = (I − |A|/κ)⁻¹1 by w ← 1 + |A|w/κ, with w = 1 kept on fixed blocks. */
  private static double[] neumannWeights(LinearOperator absA, List<StateBlock> states, boolean[] fixed, double kappa) {
    int n = absA.rows();
    double[] w = Vectors.ones(n);
    for (int it = 0; it < 100_000; it++) {
      double[] t = new double[n];
      absA.multAdd(w, 0, n, t, 0, n, 1);
      double change = 0;
      for (int i = 0; i < n; i++) {
        double nv = 1 + t[i] / kappa;
        change = Math.max(change, Math.abs(nv - w[i]) / nv);
        w[i] = nv;
      }
      for (int b = 0; b < states.size(); b++) {
        if (fixed[b]) {
          Arrays.fill(w, states.get(b).offset(), states.get(b).end(), 1.0);
        }
      }
      if (change < 1e-13) {
        return w;
      }
    }
    throw new RescaleException("cannot rescale: the iteration for w = (I \u2212 |A|/\u03ba)\u207b\u00b91 did not converge");
  }

  private static double scaledNorm(LinearOperator absA, double[] w) {
    double[] t = new double[w.length];
    absA.multAdd(w, 0, w.length, t, 0, w.length, 1);
    double m = 0;
    for (int i = 0; i < w.length; i++) {
      m = Math.max(m, t[i] / w[i]);
    }
    return m;
  }

  /** The similarity with w_i = e^{L_i} w̃_i, s = 1/w: A' = SAS⁻¹, B' = SB, C' = CS⁻¹, b' = Sb. */
  private static ImplicitModel apply(ImplicitModel m, double[] logScale, double[][] mant) {
    List<StateBlock> states = m.states();
    List<BlockMatrix.Block> ab = new ArrayList<>();
    for (BlockMatrix.Block b : m.a().blocks()) {
      double[] left = inverse(mant[b.row()], 1);
      double[] right = times(mant[b.col()], Math.exp(logScale[b.col()] - logScale[b.row()]));
      ab.add(new BlockMatrix.Block(b.row(), b.col(), b.op().scaled(left, right)));
    }
    List<BlockMatrix.Block> bb = new ArrayList<>();
    for (BlockMatrix.Block b : m.b().blocks()) {
      bb.add(new BlockMatrix.Block(b.row(), b.col(), b.op().scaled(inverse(mant[b.row()], Math.exp(-logScale[b.row()])), null)));
    }
    List<BlockMatrix.Block> cb = new ArrayList<>();
    for (BlockMatrix.Block b : m.c().blocks()) {
      cb.add(new BlockMatrix.Block(b.row(), b.col(), b.op().scaled(null, times(mant[b.col()], Math.exp(logScale[b.col()])))));
    }
    double[] bias = m.stateBias();
    for (int i = 0; i < states.size(); i++) {
      StateBlock s = states.get(i);
      double f = Math.exp(-logScale[i]);
      for (int q = 0; q < s.size(); q++) {
        bias[s.offset() + q] *= f / mant[i][q];
      }
    }
    return m.withMatrices(new BlockMatrix(m.a().rowSizes(), m.a().colSizes(), ab),
        new BlockMatrix(m.b().rowSizes(), m.b().colSizes(), bb),
        new BlockMatrix(m.c().rowSizes(), m.c().colSizes(), cb), m.d(), bias, m.outputBias());
  }


  private static double[] inverse(double[] v, double f) {
    double[] r = new double[v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = f / v[i];
    }
    return r;
  }

  private static double[] times(double[] v, double f) {
    double[] r = new double[v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = v[i] * f;
    }
    return r;
  }


}
