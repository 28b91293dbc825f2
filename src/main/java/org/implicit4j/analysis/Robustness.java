package org.implicit4j.analysis;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.Certificate;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.report.WellPosedness;
import org.implicit4j.solve.Solution;

/**
 * The robustness bounds of El Ghaoui et al. §4 (docs/MATHS.md §5) for a well-posed model whose
 * activations are componentwise non-expansive: a box |u − u₀| ≤ σu moves the state by at most
 * σx = (I − |A|)⁻¹|B|σu and the output by at most Sσu, S = |C|(I − |A|)⁻¹|B| + |D|.
 *
 * <p>Everything is computed through solves with |A| and |A|ᵀ on the block operators ({@link
 * AbsSolves}), never forming (I − |A|)⁻¹: S row by row as Sᵀe_t = |B|ᵀ(I − |A|ᵀ)⁻¹|C|ᵀe_t + |D|ᵀe_t.
 * |M| is taken as {@code absBound()}, equal to |M| for stored blocks and an entrywise upper bound for
 * large lazy products, so every bound stays certified.
 */
public final class Robustness {
  /** Rows of S computed per batch of transposed solves (bounds the q × n work array). */
  static final int ROWS_PER_BATCH = 64;

  private Robustness() {}

  /**
   * Refuses models the bounds do not hold for, naming why: well-posedness not shown (λpf(|A|) ≥ 1),
   * or blocks whose activation is not componentwise non-expansive (gated products among them).
   */
  public static void requireBoundable(ImplicitModel m) {
    List<String> expansive = new ArrayList<>();
    for (StateBlock b : m.states()) {
      if (!b.activation().nonExpansive()) {
        expansive.add("'" + b.name() + "' (" + b.activation().spec() + ")");
      }
    }
    if (!expansive.isEmpty()) {
      throw new AnalysisException("robustness bounds need componentwise non-expansive activations; block"
          + (expansive.size() > 1 ? "s " : " ") + String.join(", ", expansive.subList(0, Math.min(5, expansive.size())))
          + (expansive.size() > 5 ? " and " + (expansive.size() - 5) + " more" : "")
          + (expansive.size() > 1 ? " are" : " is") + " not (a gated product multiplies two states)");
    }
    WellPosedness w = WellPosednessAnalysis.of(m);
    if (!w.strictlyUpperTriangular() && !(w.lambdaPf() < 1)) {
      throw new AnalysisException("robustness bounds need \u03bbpf(|A|) < 1; " + w.verdict()
          + ". Reduce the feedback gain or the weights");
    }
  }

  /** S = |C|(I − |A|)⁻¹|B| + |D|, q × p, by q transposed solves (batched). */
  public static SensitivityMatrix sensitivity(ImplicitModel m) {
    requireBoundable(m);
    int n = m.n();
    int p = m.p();
    int q = m.q();
    BlockMatrix absA = m.a().absBound();
    BlockMatrix absB = m.b().absBound();
    BlockMatrix absC = m.c().absBound();
    BlockMatrix absD = m.d().absBound();
    double[] s = new double[Math.multiplyExact(q, p)];
    for (int first = 0; first < q; first += ROWS_PER_BATCH) {
      int rows = Math.min(ROWS_PER_BATCH, q - first);
      double[] e = new double[rows * q];
      for (int r = 0; r < rows; r++) {
        e[r * q + first + r] = 1;
      }
      double[] v = new double[rows * n];
      absC.multTransAdd(e, 0, q, v, 0, n, rows);
      double[] y = AbsSolves.solveTransposed(absA, 1, v, rows);
      absB.multTransAdd(y, 0, n, s, first * p, p, rows);
      absD.multTransAdd(e, 0, q, s, first * p, p, rows);
    }
    return new SensitivityMatrix(q, p, s);
  }

  /** σx = (I − |A|)⁻¹|B|σu for a batch of boxes σu (batch × p); returns batch × n. */
  public static double[] stateBounds(ImplicitModel m, double[] sigmaU, int batch) {
    requireBoundable(m);
    double[] v = new double[batch * m.n()];
    m.b().absBound().multAdd(sigmaU, 0, m.p(), v, 0, m.n(), batch);
    return AbsSolves.solve(m.a().absBound(), 1, v, batch);
  }

  /** |C|σx + |D|σu = Sσu for a batch, without forming S; returns batch × q. */
  public static double[] outputBounds(ImplicitModel m, double[] sigmaX, double[] sigmaU, int batch) {
    double[] y = new double[batch * m.q()];
    m.c().absBound().multAdd(sigmaX, 0, m.n(), y, 0, m.q(), batch);
    m.d().absBound().multAdd(sigmaU, 0, m.p(), y, 0, m.q(), batch);
    return y;
  }

  /**
   * The certificate of one input: for the predicted class y and each other t, the lower bound
   * ŷ_y − ŷ_t − (|C_y − C_t|σx + |D_y − D_t|σu) on the margin over the box (tighter than
   * subtracting the two rows of Sσu, since the rows of C are differenced before |·|).
   *
   * @param y0 ŷ(u₀), length q
   * @param sigmaX σx of this input's box, length n
   * @param sigmaU the box, length p
   */
  public static Certificate certify(ImplicitModel m, int sample, double[] y0, double[] sigmaX, double[] sigmaU) {
    int q = m.q();
    int top = Solution.argmax(y0);
    double[] lower = new double[q];
    boolean certified = true;
    for (int t = 0; t < q; t++) {
      if (t == top) {
        lower[t] = Double.NaN;
        continue;
      }
      double[] e = new double[q];
      e[top] = 1;
      e[t] = -1;
      lower[t] = y0[top] - y0[t] - absDot(m.c(), e, sigmaX) - absDot(m.d(), e, sigmaU);
      certified &= lower[t] > 0;
    }
    return new Certificate(sample, top, y0.clone(), lower, certified, List.of());
  }

  /** |Mᵀe|·σ: the row combination eᵀM taken entrywise in absolute value, against σ. */
  private static double absDot(BlockMatrix m, double[] e, double[] sigma) {
    double[] row = new double[m.cols()];
    m.multTransAdd(e, 0, e.length, row, 0, row.length, 1);
    double s = 0;
    for (int j = 0; j < row.length; j++) {
      s += Math.abs(row[j]) * sigma[j];
    }
    return s;
  }
}
