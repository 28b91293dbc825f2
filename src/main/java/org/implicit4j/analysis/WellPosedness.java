package org.implicit4j.analysis;

import java.util.Locale;
import org.implicit4j.analysis.PerronRoot;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;

/**
 * Well-posedness analysis of x = φ(Ax + b'): the model has a unique equilibrium for every input
 * when A is strictly (block) upper triangular, or when every activation is componentwise
 * non-expansive and λpf(|A|) &lt; 1 (IMPLICIT.md §2).
 *
 * @param normInf ‖A‖∞ = max_i Σ_j |A_ij| from the row sums of the blocks: exact, except that large lazy
 *     products of structured blocks contribute Π|F_k| (an upper bound) rather than being formed
 * @param lambdaPf λpf(|A|): exactly 0 when A is strictly triangular, else a certified upper bound
 * @param lambdaLower the Collatz–Wielandt lower bound on λpf(|A|)
 * @param nonExpansive whether every activation is componentwise non-expansive
 * @param wellPosed whether well-posedness is shown (false means "not shown", not "ill-posed")
 * @param verdict one line saying why
 */
public record WellPosedness(double normInf, double lambdaPf, double lambdaLower, int powerIterations,
    boolean strictlyUpperTriangular, boolean nonExpansive, boolean wellPosed, String verdict) {

  public static final double PERRON_TOLERANCE = 1e-9;
  public static final int PERRON_MAX_ITERATIONS = 2000;

  /** Analyses A of {@code model}. Uses mat-vecs with |A| only; never forms A densely. */
  public static WellPosedness analyse(ImplicitModel model) {
    // U ≥ |A| entrywise, equal to |A| except for large lazy products of structured blocks (e.g. the
    // B₁KC₁ block of a feedback around a CNN), which would otherwise have to be formed explicitly.
    // Both numbers below then stay certified upper bounds.
    org.implicit4j.linalg.BlockMatrix bound = model.a().absBound();
    double[] rows = new double[bound.rows()];
    double[] ones = new double[bound.cols()];
    java.util.Arrays.fill(ones, 1.0);
    bound.multAdd(ones, 0, ones.length, rows, 0, rows.length, 1);
    double norm = 0;
    for (double r : rows) {
      norm = Math.max(norm, r);
    }
    String expansive = null;
    for (StateBlock blk : model.states()) {
      if (!blk.activation().nonExpansive()) {
        expansive = blk.activation().spec() + " in block '" + blk.name() + "'";
        break;
      }
    }
    if (model.isStrictlyUpperTriangular()) {
      return new WellPosedness(norm, 0, 0, 0, true, expansive == null, true,
          "well-posed: strictly upper triangular");
    }
    PerronRoot pf = PerronRoot.of(bound, PERRON_TOLERANCE, PERRON_MAX_ITERATIONS);
    String lam = fmt(pf.value());
    if (expansive != null) {
      return new WellPosedness(norm, pf.value(), pf.lower(), pf.iterations(), false, false, false,
          "not shown: " + expansive + " is not non-expansive (λpf(|A|)=" + lam + ")");
    }
    if (pf.value() < 1) {
      return new WellPosedness(norm, pf.value(), pf.lower(), pf.iterations(), false, true, true,
          "well-posed: λpf(|A|)=" + lam + "<1");
    }
    return new WellPosedness(norm, pf.value(), pf.lower(), pf.iterations(), false, true, false,
        "not shown: λpf(|A|)=" + lam + "\u22651");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
