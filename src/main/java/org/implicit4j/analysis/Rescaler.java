package org.implicit4j.analysis;

import org.implicit4j.model.StateBlock;
import org.implicit4j.model.ImplicitModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.analysis.PerronRoot;

/**
 * Diagonal similarity rescaling (IMPLICIT.md §3): with S = diag(s), s &gt; 0, the model
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

  /**
   * What a rescale did: target κ, ‖A‖∞ before and after (row sums of |A| — or of the cheap bound
   * {@link LinearOperator#absBound()} where products of convolutions would otherwise be formed, so
   * then upper bounds), λpf(|A|)
   * (0 for triangular A), the method, the range of s (as log10), and the blocks left unscaled.
   */
  public record Report(double kappa, double normBefore, double normAfter, double lambdaPf, String method,
      double log10MinS, double log10MaxS, List<String> unscaledBlocks) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "rescaled to \u2016A\u2016\u221e = %.6g < \u03ba = %.3g (was %.6g; \u03bbpf(|A|) = %.4g) by %s; s in [1e%.1f, 1e%.1f]%s",
          normAfter, kappa, normBefore, lambdaPf, method, log10MinS, log10MaxS,
          unscaledBlocks.isEmpty() ? "" : "; kept at scale 1 (not positively homogeneous): " + unscaledBlocks);
    }
  }

  /** A rescaled model and its report. */
  public record Result(ImplicitModel model, Report report) {}

  /** Rescales so that ‖A'‖∞ &lt; κ without changing any prediction; throws {@link RescaleException} when impossible. */
  public static Result rescale(ImplicitModel m, double kappa) {
    if (!(kappa > 0 && kappa <= 1)) {
      throw new IllegalArgumentException("kappa must lie in (0, 1], got " + kappa);
    }
    BlockMatrix a = m.a();
    double before = max(rowSums(a.absBound()));
    List<StateBlock> states = m.states();
    int k = states.size();
    boolean[] fixed = new boolean[k];
    List<String> unscaled = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      fixed[i] = !states.get(i).activation().positivelyHomogeneous();
      if (fixed[i]) {
        unscaled.add(states.get(i).name() + " (" + states.get(i).activation().spec() + ")");
      }
    }
    double[] logScale = new double[k];
    double[][] mant = new double[k][];
    String method;
    double lambda = 0;
    // ‖A'‖∞ = max ρ(1 − 1/w_i) tends to ρ as w grows, so ρ sits just below κ to keep a margin
    // that rounding cannot close.
    double rho = kappa * (1 - RHO_MARGIN);
    if (m.isStrictlyUpperTriangular()) {
      method = String.format(Locale.ROOT,
          "back-substitution w = (I \u2212 |A|/\u03c1)\u207b\u00b91, \u03c1 = %.6g, per-block exponents", rho);
      BlockMatrix abs = a.absBound(); // a bound suffices: (|A|w)_i ≤ (Uw)_i = ρ(w_i − 1)
      for (int i = k - 1; i >= 0; i--) {
        int size = states.get(i).size();
        if (fixed[i] || abs.row(i).isEmpty()) {
          mant[i] = ones(size);
          continue;
        }
        double top = Double.NEGATIVE_INFINITY;
        for (BlockMatrix.Block b : abs.row(i)) {
          top = Math.max(top, logScale[b.col()]);
        }
        double[] t = new double[size];
        for (BlockMatrix.Block b : abs.row(i)) {
          double f = Math.exp(logScale[b.col()] - top) / rho;
          double[] wj = mant[b.col()].clone();
          for (int q = 0; q < wj.length; q++) {
            wj[q] *= f;
          }
          b.op().multAdd(wj, 0, wj.length, t, 0, size, 1);
        }
        double base = Math.exp(-top);
        double mx = 0;
        for (int q = 0; q < size; q++) {
          t[q] += base;
          mx = Math.max(mx, t[q]);
        }
        for (int q = 0; q < size; q++) {
          t[q] /= mx;
        }
        mant[i] = t;
        logScale[i] = top + Math.log(mx);
      }
    } else {
      // The same cheap bound U ≥ |A| as for the triangular case, so that the w found here is judged
      // by the row sums it was designed for.
      LinearOperator bound = a.absBound();
      PerronRoot pf = PerronRoot.of(bound, 1e-12, 20_000);
      lambda = pf.value();
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
      double[] w = perronWeights(pf, states, fixed);
      method = "Perron vector of |A|";
      if (w == null || scaledNorm(bound, w) >= kappa) {
        rho = Math.max(rho, (pf.value() + kappa) / 2);
        w = neumannWeights(bound, states, fixed, rho);
        method = String.format(Locale.ROOT, "iteration w \u2190 1 + |A|w/\u03c1, \u03c1 = %.6g", rho);
      }
      for (int i = 0; i < k; i++) {
        StateBlock s = states.get(i);
        double[] part = Arrays.copyOfRange(w, s.offset(), s.end());
        double mx = max(part);
        for (int q = 0; q < part.length; q++) {
          part[q] /= mx;
        }
        mant[i] = part;
        logScale[i] = Math.log(mx);
      }
    }
    for (int i = 0; i < k; i++) {
      if (Math.abs(logScale[i]) > MAX_LOG_SCALE) {
        throw new RescaleException(String.format(Locale.ROOT,
            "cannot rescale: the scaling of block '%s' reaches e^%.0f, beyond double precision; the network is too "
                + "deep for \u03ba = %.3g (try a \u03ba closer to 1)", states.get(i).name(), logScale[i], kappa));
      }
    }
    ImplicitModel out = apply(m, logScale, mant);
    // Row sums of the bound: a certified upper bound on ‖A'‖∞ (equal to it unless products overlap).
    double after = max(rowSums(out.a().absBound()));
    if (!(after < kappa)) {
      String why = unscaled.isEmpty() ? "" : "; blocks " + unscaled
          + " are not positively homogeneous, so they cannot be rescaled and their rows keep their norm";
      throw new RescaleException(String.format(Locale.ROOT,
          "cannot rescale to \u03ba = %.4g: reached \u2016A'\u2016\u221e = %.6g%s", kappa, after, why));
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      for (double v : mant[i]) {
        double log10s = -(logScale[i] / Math.log(10) + Math.log10(v));
        lo = Math.min(lo, log10s);
        hi = Math.max(hi, log10s);
      }
    }
    Report rep = new Report(kappa, before, after, lambda, method, k == 0 ? 0 : lo, k == 0 ? 0 : hi, List.copyOf(unscaled));
    out = out.withMetadata("rescaled", rep.toString());
    return new Result(out, rep);
  }

  /** The Perron vector as weights when it is positive, with fixed blocks at 1; null if unusable. */
  private static double[] perronWeights(PerronRoot pf, List<StateBlock> states, boolean[] fixed) {
    double[] v = pf.vector();
    for (double x : v) {
      if (!(x > 1e-200)) {
        return null;
      }
    }
    for (int i = 0; i < states.size(); i++) {
      if (fixed[i]) {
        return null; // the Perron vector is optimal only when every block may scale
      }
    }
    return v;
  }

  /** w = (I − |A|/κ)⁻¹1 by w ← 1 + |A|w/κ, with w = 1 kept on fixed blocks. */
  private static double[] neumannWeights(LinearOperator absA, List<StateBlock> states, boolean[] fixed, double kappa) {
    int n = absA.rows();
    double[] w = ones(n);
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

  private static double[] rowSums(LinearOperator nonNegative) {
    double[] r = new double[nonNegative.rows()];
    nonNegative.multAdd(ones(nonNegative.cols()), 0, nonNegative.cols(), r, 0, r.length, 1);
    return r;
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

  private static double[] ones(int n) {
    double[] o = new double[n];
    Arrays.fill(o, 1.0);
    return o;
  }

  private static double max(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return m;
  }
}
