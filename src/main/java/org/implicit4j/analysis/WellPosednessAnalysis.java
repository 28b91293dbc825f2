package org.implicit4j.analysis;

import java.util.Locale;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.WellPosedness;

/** Computes the {@link WellPosedness} verdict of a model from mat-vecs with |A| only; never forms A densely. */
public final class WellPosednessAnalysis {
  private WellPosednessAnalysis() {}

  /**
   * ‖A‖∞, λpf(|A|) and the verdict (El Ghaoui et al. §3; docs/MATHS.md §2): well-posed when A is strictly
   * block upper triangular, or when every activation is non-expansive and λpf(|A|) &lt; 1.
   */
  public static WellPosedness of(ImplicitModel model) {
    // U ≥ |A| entrywise, equal to |A| except for large lazy products of structured blocks (e.g. the
    // B₁KC₁ block of a feedback around a CNN), which would otherwise have to be formed explicitly.
    // Both numbers below then stay certified upper bounds.
    BlockMatrix bound = model.a().absBound();
    double norm = Vectors.max(bound.rowSums());
    String expansive = firstExpansive(model);
    if (model.isStrictlyUpperTriangular()) {
      return new WellPosedness(norm, 0, 0, 0, true, expansive == null, true, "well-posed: strictly upper triangular");
    }
    PerronRoot pf = PerronRoot.of(bound);
    String lam = String.format(Locale.ROOT, "%.4g", pf.value());
    String verdict;
    boolean shown = false;
    if (expansive != null) {
      verdict = "not shown: " + expansive + " is not non-expansive (λpf(|A|)=" + lam + ")";
    } else if (pf.value() < 1) {
      verdict = "well-posed: λpf(|A|)=" + lam + "<1";
      shown = true;
    } else {
      verdict = "not shown: λpf(|A|)=" + lam + "\u22651";
    }
    return new WellPosedness(norm, pf.value(), pf.lower(), pf.iterations(), false, expansive == null, shown, verdict);
  }

  /** "tanh in block 'x'" for the first block whose activation is not componentwise non-expansive, else null. */
  static String firstExpansive(ImplicitModel model) {
    for (StateBlock blk : model.states()) {
      if (!blk.activation().nonExpansive()) {
        return blk.activation().spec() + " in block '" + blk.name() + "'";
      }
    }
    return null;
  }
}
