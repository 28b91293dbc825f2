package org.implicit4j.compose;

import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Provenance;
import org.implicit4j.model.Shape;
import org.implicit4j.model.StateBlock;

/**
 * The composition algebra of implicit models (docs/MATHS.md §4). Every operator returns a new model;
 * blocks that couple the parts (B₂C₁, D₂C₁, …) are lazy products, so convolutions stay kernels.
 * Sizes are checked first, and a mismatch names both sides.
 */
public final class Compose {
  /**
   * One side of a two-model composition: its states start at block {@code base}; {@code in} selects
   * its input from the shared one (null when it takes the whole input), {@code out} places its output.
   */
  private record Part(ImplicitModel model, int base, CsrMatrix in, CsrMatrix out) {}

  private Compose() {}

  /** ŷ = M u + c as a model without states (n = 0): how a linear head or gain enters a composition. */
  public static ImplicitModel affine(LinearOperator m, double[] bias) {
    DimensionMismatchException.check("affine", "bias length", bias.length, "matrix rows", m.rows());
    return ImplicitModel.builder(m.cols(), m.rows()).addD(m).addOutputBias(bias)
        .provenance(Provenance.composed("affine")).build();
  }

  /** The identity map on R^size as a model (n = 0). */
  public static ImplicitModel identity(int size) {
    return affine(DiagonalMatrix.identity(size), new double[size]);
  }

  /**
   * Cascade u₂ = ŷ₁: state (x₂, x₁), A = [[A₂, B₂C₁], [0, A₁]], B = [B₂D₁; B₁], C = [C₂, D₂C₁],
   * D = D₂D₁, b = [b₂ + B₂c₁; b₁], c = c₂ + D₂c₁.
   */
  public static ImplicitModel cascade(ImplicitModel first, ImplicitModel second) {
    DimensionMismatchException.check("cascade", "left output", first.q(), "right input", second.p());
    ImplicitModel.Builder b = ImplicitModel.builder(first.inputShape(), second.outputShape());
    int base2 = copyStates(b, second, "b/");
    int base1 = copyStates(b, first, "a/");
    copyA(b, second, base2);
    copyA(b, first, base1);
    LinearOperator d1 = single(first.d());
    LinearOperator d2 = single(second.d());
    double[] c1 = first.outputBias();
    for (BlockMatrix.Block bb : second.b().blocks()) {
      for (BlockMatrix.Block cb : first.c().blocks()) {
        b.addA(base2 + bb.row(), base1 + cb.col(), ProductOperator.of(bb.op(), cb.op()));
      }
      if (d1 != null) {
        b.addB(base2 + bb.row(), ProductOperator.of(bb.op(), d1));
      }
      b.addStateBias(base2 + bb.row(), bb.op().apply(c1));
    }
    copyB(b, first, base1, null);
    copyBias(b, second, base2);
    copyBias(b, first, base1);
    copyC(b, second, base2, null);
    if (d2 != null) {
      for (BlockMatrix.Block cb : first.c().blocks()) {
        b.addC(base1 + cb.col(), ProductOperator.of(d2, cb.op()));
      }
      if (d1 != null) {
        b.addD(ProductOperator.of(d2, d1));
      }
      b.addOutputBias(d2.apply(c1));
    }
    b.addOutputBias(second.outputBias());
    return b.provenance(Provenance.composed("cascade")).build();
  }

  /** Parallel with separate inputs u = (u₁, u₂), outputs concatenated: A, B, C, D block diagonal. */
  public static ImplicitModel parallel(ImplicitModel m1, ImplicitModel m2) {
    int p = m1.p() + m2.p();
    int q = m1.q() + m2.q();
    ImplicitModel.Builder b = ImplicitModel.builder(Shape.of(p), Shape.of(q));
    int base1 = copyStates(b, m1, "a/");
    int base2 = copyStates(b, m2, "b/");
    CsrMatrix in1 = select(m1.p(), 0, p);
    CsrMatrix in2 = select(m2.p(), m1.p(), p);
    CsrMatrix out1 = embed(q, 0, m1.q());
    CsrMatrix out2 = embed(q, m1.q(), m2.q());
    for (Part part : List.of(new Part(m1, base1, in1, out1), new Part(m2, base2, in2, out2))) {
      ImplicitModel m = part.model();
      copyA(b, m, part.base());
      copyB(b, m, part.base(), part.in());
      copyBias(b, m, part.base());
      copyC(b, m, part.base(), part.out());
      LinearOperator d = single(m.d());
      if (d != null) {
        b.addD(ProductOperator.of(part.out(), ProductOperator.of(d, part.in())));
      }
      b.addOutputBias(part.out().apply(m.outputBias()));
    }
    return b.provenance(Provenance.composed("parallel")).build();
  }

  /** Parallel on a shared input u, outputs concatenated: B = [B₁; B₂], C = diag(C₁, C₂) stacked. */
  public static ImplicitModel concat(ImplicitModel m1, ImplicitModel m2) {
    DimensionMismatchException.check("concat", "left input", m1.p(), "right input", m2.p());
    int q = m1.q() + m2.q();
    ImplicitModel.Builder b = ImplicitModel.builder(m1.inputShape(), Shape.of(q));
    int base1 = copyStates(b, m1, "a/");
    int base2 = copyStates(b, m2, "b/");
    CsrMatrix out1 = embed(q, 0, m1.q());
    CsrMatrix out2 = embed(q, m1.q(), m2.q());
    shared(b, m1, base1, out1);
    shared(b, m2, base2, out2);
    return b.provenance(Provenance.composed("concat")).build();
  }

  /** Weighted sum on a shared input: ŷ = αŷ₁ + βŷ₂, C = [αC₁, βC₂], D = αD₁ + βD₂, c = αc₁ + βc₂. */
  public static ImplicitModel sum(ImplicitModel m1, ImplicitModel m2, double alpha, double beta) {
    DimensionMismatchException.check("sum", "left input", m1.p(), "right input", m2.p());
    DimensionMismatchException.check("sum", "left output", m1.q(), "right output", m2.q());
    ImplicitModel.Builder b = ImplicitModel.builder(m1.inputShape(), m1.outputShape());
    int base1 = copyStates(b, m1, "a/");
    int base2 = copyStates(b, m2, "b/");
    shared(b, m1, base1, DiagonalMatrix.scalar(m1.q(), alpha));
    shared(b, m2, base2, DiagonalMatrix.scalar(m2.q(), beta));
    return b.provenance(Provenance.composed("sum(" + alpha + ", " + beta + ")")).build();
  }

  /**
   * Multiplicative gate on a shared input: ŷ = φa(ŷ₁) ⊙ φb(ŷ₂), exactly, through one block of 2q
   * {@link Activation.GatedProduct} states whose preactivation is (ŷ₁, ŷ₂). Use bounded φa, φb
   * (tanh, sigmoid) so that the product stays Lipschitz. The composite A is strictly block upper
   * triangular above the parts: the product block only reads the two models' states.
   */
  public static ImplicitModel multiplicative(ImplicitModel m1, ImplicitModel m2, Activation phiA, Activation phiB) {
    DimensionMismatchException.check("multiplicative", "left input", m1.p(), "right input", m2.p());
    DimensionMismatchException.check("multiplicative", "left output", m1.q(), "right output", m2.q());
    int q = m1.q();
    ImplicitModel.Builder b = ImplicitModel.builder(m1.inputShape(), m1.outputShape());
    int g = b.addState("gate", 2 * q, new Activation.GatedProduct(phiA, phiB));
    int base1 = copyStates(b, m1, "a/");
    int base2 = copyStates(b, m2, "b/");
    CsrMatrix top = embed(2 * q, 0, q);
    CsrMatrix bottom = embed(2 * q, q, q);
    for (Part part : List.of(new Part(m1, base1, null, top), new Part(m2, base2, null, bottom))) {
      ImplicitModel m = part.model();
      int base = part.base();
      CsrMatrix e = part.out();
      copyA(b, m, base);
      copyB(b, m, base, null);
      copyBias(b, m, base);
      for (BlockMatrix.Block cb : m.c().blocks()) {
        b.addA(g, base + cb.col(), ProductOperator.of(e, cb.op()));
      }
      LinearOperator d = single(m.d());
      if (d != null) {
        b.addB(g, ProductOperator.of(e, d));
      }
      b.addStateBias(g, e.apply(m.outputBias()));
    }
    b.addC(g, select(q, 0, 2 * q));
    return b.provenance(Provenance.composed("multiplicative(" + phiA.spec() + ", " + phiB.spec() + ")"))
        .build();
  }

  /**
   * Feedback u₁ = u + K ŷ₂, u₂ = ŷ₁, output ŷ₁, state (x₁, x₂). With D₂' = K D₂, C₂' = K C₂,
   * E = (I − D₁D₂')⁻¹ and F = (I − D₂'D₁)⁻¹ (refused when singular):
   * A = [[A₁ + B₁FD₂'C₁, B₁FC₂'], [B₂EC₁, A₂ + B₂ED₁C₂']], B = [B₁F; B₂ED₁], C = [EC₁, ED₁C₂'],
   * D = ED₁, biases b₁ + B₁F(D₂'c₁ + c₂'), b₂ + B₂E(c₁ + D₁c₂'), c = E(c₁ + D₁c₂').
   * Feedback can destroy well-posedness even when both parts are well-posed: analyse the result.
   */
  public static ImplicitModel feedback(ImplicitModel m1, ImplicitModel m2, Gain gain) {
    DimensionMismatchException.check("feedback", "left output", m1.q(), "right input", m2.p());
    LinearOperator k = gain.operator(m1.p(), m2.q());
    LinearOperator d1 = single(m1.d());
    LinearOperator d2 = single(m2.d()) == null ? null : ProductOperator.of(k, single(m2.d()));
    LinearOperator e = null; // E, F = identity when D₁ or D₂ vanish
    LinearOperator f = null;
    if (d1 != null && d2 != null) {
      e = inverseOfIMinus(ProductOperator.of(d1, d2), "I \u2212 D\u2081KD\u2082");
      f = inverseOfIMinus(ProductOperator.of(d2, d1), "I \u2212 KD\u2082D\u2081");
    }
    ImplicitModel.Builder b = ImplicitModel.builder(m1.inputShape(), m1.outputShape());
    Loop loop = new Loop(m1, m2, k, d1, d2, e, f, copyStates(b, m1, "a/"), copyStates(b, m2, "b/"));
    copyA(b, m1, loop.base1());
    copyA(b, m2, loop.base2());
    addLeftRows(b, loop);
    addRightRows(b, loop);
    copyBias(b, m1, loop.base1());
    copyBias(b, m2, loop.base2());
    addLoopOutput(b, loop);
    return b.provenance(Provenance.composed("feedback")).build();
  }

  /** A feedback loop being built: the parts, K, D₁, D₂' = KD₂, E, F (null = identity) and where the states start. */
  private record Loop(ImplicitModel m1, ImplicitModel m2, LinearOperator k, LinearOperator d1, LinearOperator d2,
      LinearOperator e, LinearOperator f, int base1, int base2) {
    /** F(D₂'c₁ + c₂'): the constant part of u₁. */
    double[] u1Bias() {
      double[] c2k = k.apply(m2.outputBias());
      return times(f, plus(d2 == null ? null : d2.apply(m1.outputBias()), c2k));
    }

    /** E(c₁ + D₁c₂'): the constant part of ŷ₁ = u₂. */
    double[] y1Bias() {
      double[] c2k = k.apply(m2.outputBias());
      return times(e, plus(m1.outputBias(), d1 == null ? null : d1.apply(c2k)));
    }
  }

  /** Rows of the left model: u₁ = F u + F D₂'C₁ x₁ + F C₂' x₂ + F(D₂'c₁ + c₂'). */
  private static void addLeftRows(ImplicitModel.Builder b, Loop l) {
    double[] u1Bias = l.u1Bias();
    for (BlockMatrix.Block bb : l.m1().b().blocks()) {
      LinearOperator bf = l.f() == null ? bb.op() : ProductOperator.of(bb.op(), l.f());
      int row = l.base1() + bb.row();
      b.addB(row, bf);
      if (l.d2() != null) {
        for (BlockMatrix.Block cb : l.m1().c().blocks()) {
          b.addA(row, l.base1() + cb.col(), ProductOperator.of(bf, ProductOperator.of(l.d2(), cb.op())));
        }
      }
      for (BlockMatrix.Block cb : l.m2().c().blocks()) {
        b.addA(row, l.base2() + cb.col(), ProductOperator.of(bf, ProductOperator.of(l.k(), cb.op())));
      }
      b.addStateBias(row, bb.op().apply(u1Bias));
    }
  }

  /** Rows of the right model, fed u₂ = ŷ₁ = E C₁x₁ + E D₁C₂' x₂ + E D₁ u + E(c₁ + D₁c₂'). */
  private static void addRightRows(ImplicitModel.Builder b, Loop l) {
    double[] y1Bias = l.y1Bias();
    for (BlockMatrix.Block bb : l.m2().b().blocks()) {
      LinearOperator be = l.e() == null ? bb.op() : ProductOperator.of(bb.op(), l.e());
      int row = l.base2() + bb.row();
      for (BlockMatrix.Block cb : l.m1().c().blocks()) {
        b.addA(row, l.base1() + cb.col(), ProductOperator.of(be, cb.op()));
      }
      if (l.d1() != null) {
        for (BlockMatrix.Block cb : l.m2().c().blocks()) {
          b.addA(row, l.base2() + cb.col(),
              ProductOperator.of(be, ProductOperator.of(l.d1(), ProductOperator.of(l.k(), cb.op()))));
        }
        b.addB(row, ProductOperator.of(be, l.d1()));
      }
      b.addStateBias(row, bb.op().apply(y1Bias));
    }
  }

  /** The output ŷ₁: C = [EC₁, ED₁C₂'], D = ED₁, c = E(c₁ + D₁c₂'). */
  private static void addLoopOutput(ImplicitModel.Builder b, Loop l) {
    for (BlockMatrix.Block cb : l.m1().c().blocks()) {
      b.addC(l.base1() + cb.col(), l.e() == null ? cb.op() : ProductOperator.of(l.e(), cb.op()));
    }
    if (l.d1() != null) {
      LinearOperator ed1 = l.e() == null ? l.d1() : ProductOperator.of(l.e(), l.d1());
      for (BlockMatrix.Block cb : l.m2().c().blocks()) {
        b.addC(l.base2() + cb.col(), ProductOperator.of(ed1, ProductOperator.of(l.k(), cb.op())));
      }
      b.addD(ed1);
    }
    b.addOutputBias(l.y1Bias());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static LinearOperator single(BlockMatrix m) {
    return m.blocks().isEmpty() ? null : m.blocks().get(0).op();
  }

  private static int copyStates(ImplicitModel.Builder b, ImplicitModel m, String prefix) {
    int base = b.stateCount();
    for (StateBlock s : m.states()) {
      b.addState(prefix + s.name(), s.shape(), s.activation());
    }
    return base;
  }

  private static void copyA(ImplicitModel.Builder b, ImplicitModel m, int base) {
    for (BlockMatrix.Block a : m.a().blocks()) {
      b.addA(base + a.row(), base + a.col(), a.op());
    }
  }

  private static void copyB(ImplicitModel.Builder b, ImplicitModel m, int base, CsrMatrix inputSelect) {
    for (BlockMatrix.Block bb : m.b().blocks()) {
      b.addB(base + bb.row(), inputSelect == null ? bb.op() : ProductOperator.of(bb.op(), inputSelect));
    }
  }

  private static void copyBias(ImplicitModel.Builder b, ImplicitModel m, int base) {
    double[] bias = m.stateBias();
    for (int i = 0; i < m.states().size(); i++) {
      StateBlock s = m.states().get(i);
      b.addStateBias(base + i, Arrays.copyOfRange(bias, s.offset(), s.end()));
    }
  }

  private static void copyC(ImplicitModel.Builder b, ImplicitModel m, int base, LinearOperator outputMap) {
    for (BlockMatrix.Block cb : m.c().blocks()) {
      b.addC(base + cb.col(), outputMap == null ? cb.op() : ProductOperator.of(outputMap, cb.op()));
    }
  }

  /** A part on the shared input whose output enters through {@code out}: its B, bias, C, D, c. */
  private static void shared(ImplicitModel.Builder b, ImplicitModel m, int base, LinearOperator out) {
    copyA(b, m, base);
    copyB(b, m, base, null);
    copyBias(b, m, base);
    copyC(b, m, base, out);
    LinearOperator d = single(m.d());
    if (d != null) {
      b.addD(ProductOperator.of(out, d));
    }
    b.addOutputBias(out.apply(m.outputBias()));
  }

  /** rows×len: places a length-len vector at [offset, offset+len) of a length-rows one. */
  static CsrMatrix embed(int rows, int offset, int len) {
    int[] src = new int[rows];
    for (int i = 0; i < rows; i++) {
      src[i] = i >= offset && i < offset + len ? i - offset : -1;
    }
    return CsrMatrix.selection(src, len);
  }

  /** len×cols: picks entries [offset, offset+len) of a length-cols vector. */
  static CsrMatrix select(int len, int offset, int cols) {
    int[] src = new int[len];
    for (int i = 0; i < len; i++) {
      src[i] = offset + i;
    }
    return CsrMatrix.selection(src, cols);
  }

  /** (I − M)⁻¹ as a dense matrix, refusing a singular or ill-conditioned I − M. */
  private static LinearOperator inverseOfIMinus(LinearOperator m, String what) {
    int n = m.rows();
    double[] dense = new double[n * n];
    double[] e = new double[n];
    for (int j = 0; j < n; j++) {
      Arrays.fill(e, 0);
      e[j] = 1;
      double[] col = m.apply(e);
      for (int i = 0; i < n; i++) {
        dense[i * n + j] = (i == j ? 1 : 0) - col[i];
      }
    }
    DMatrixRMaj a = new DMatrixRMaj(n, n, true, dense);
    DMatrixRMaj inv = new DMatrixRMaj(n, n);
    double cond = CommonOps_DDRM.elementMaxAbs(a);
    boolean ok = CommonOps_DDRM.invert(a.copy(), inv);
    for (double v : inv.data) {
      ok &= Double.isFinite(v);
    }
    // EJML returns NaNs rather than failing on an exactly singular matrix: check finiteness and a
    // cheap condition estimate max|I − M| · max|(I − M)⁻¹|.
    if (!ok || !(CommonOps_DDRM.elementMaxAbs(inv) * cond < 1e12)) {
      throw new CompositionException("feedback: " + what + " is singular (or too ill-conditioned) for the "
          + "direct terms D\u2081 and D\u2082; the loop has no unique algebraic solution. Reduce the gain or remove a direct term.");
    }
    return new DenseMatrix(n, n, inv.data);
  }

  private static double[] plus(double[] a, double[] b) {
    if (a == null) {
      return b.clone();
    }
    if (b == null) {
      return a.clone();
    }
    double[] r = a.clone();
    for (int i = 0; i < r.length; i++) {
      r[i] += b[i];
    }
    return r;
  }

  private static double[] times(LinearOperator m, double[] v) {
    return m == null ? v : m.apply(v);
  }
}
