package org.implicit4j.linalg;

import java.util.Arrays;

/**
 * diag(left) · M · diag(right) with M kept in its own structure; a null side is the identity.
 * This is how a rescaled or batch-normalised convolution stays a convolution.
 */
public final class ScaledOperator implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.scaled(this);
  }

  private final double[] left;
  private final LinearOperator inner;
  private final double[] right;

  /**
   * For a float32 convolution, or an fp64 one that runs directly ({@link DirectConv#suits}), whose
   * scalings are constant per channel: the convolution with them multiplied into its kernel (in
   * double, rounded once), made on first use, so that products need no scaling pass; the model
   * keeps the scalings. Empty otherwise. (fp64 products then round l·K·r once instead of scaling x
   * and the sum: a change of rounding, not of value.)
   */
  private volatile java.util.Optional<Conv2d> folded;

  private ScaledOperator(double[] left, LinearOperator inner, double[] right) {
    this.left = left;
    this.inner = inner;
    this.right = right;
  }

  private java.util.Optional<Conv2d> folded() {
    java.util.Optional<Conv2d> f = folded;
    if (f == null) {
      f = inner instanceof Conv2d c && (c.isFloat32() || DirectConv.suits(c.geometry()))
          ? java.util.Optional.ofNullable(c.withChannelScalings(left, right))
          : java.util.Optional.empty();
      folded = f;
    }
    return f;
  }

  /** diag(left)·inner·diag(right), merging nested scalings so that wrappers never stack. */
  public static LinearOperator of(double[] left, LinearOperator inner, double[] right) {
    if (left != null) {
      DimensionMismatchException.check("scale", "left scaling length", left.length, "operator rows", inner.rows());
    }
    if (right != null) {
      DimensionMismatchException.check("scale", "right scaling length", right.length, "operator cols", inner.cols());
    }
    if (left == null && right == null) {
      return inner;
    }
    if (inner instanceof ScaledOperator s) {
      return new ScaledOperator(times(left, s.left), s.inner, times(s.right, right));
    }
    return new ScaledOperator(left == null ? null : left.clone(), inner, right == null ? null : right.clone());
  }

  private static double[] times(double[] a, double[] b) {
    if (a == null) {
      return b == null ? null : b.clone();
    }
    if (b == null) {
      return a.clone();
    }
    double[] r = new double[a.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = a[i] * b[i];
    }
    return r;
  }

  public LinearOperator inner() { return inner; }

  /** Copy of the left scaling, or null for the identity. */
  public double[] left() { return left == null ? null : left.clone(); }

  /** Copy of the right scaling, or null for the identity. */
  public double[] right() { return right == null ? null : right.clone(); }

  @Override public int rows() { return inner.rows(); }

  @Override public int cols() { return inner.cols(); }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (folded().isPresent()) {
      folded.get().multAdd(x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
    if (inner instanceof Conv2d c && c.multAddScaled(x, xOff, xStride, y, yOff, yStride, batch, left, right)) {
      return; // the scalings ran inside the convolution's gather and epilogue
    }
    int n = cols();
    int m = rows();
    double[] xs = x;
    int xo = xOff;
    int xst = xStride;
    if (right != null) {
      xs = new double[batch * n];
      for (int s = 0; s < batch; s++) {
        for (int j = 0; j < n; j++) {
          xs[s * n + j] = right[j] * x[xOff + s * xStride + j];
        }
      }
      xo = 0;
      xst = n;
    }
    if (left == null) {
      inner.multAdd(xs, xo, xst, y, yOff, yStride, batch);
      return;
    }
    double[] t = new double[batch * m];
    inner.multAdd(xs, xo, xst, t, 0, m, batch);
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < m; i++) {
        y[yOff + s * yStride + i] += left[i] * t[s * m + i];
      }
    }
  }

  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    if (folded().isPresent()) {
      folded.get().multAdd(x, xOff, xStride, y, yOff, yStride, batch);
    } else if (!(inner instanceof Conv2d c && c.multAddScaled(x, xOff, xStride, y, yOff, yStride, batch, left, right))) {
      Floats.viaDouble(this, x, xOff, xStride, y, yOff, yStride, batch);
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (inner instanceof Conv2d c && !c.isFloat32() && folded().isPresent()) {
      folded.get().multTransAdd(x, xOff, xStride, y, yOff, yStride, batch); // (l·K·r)ᵀ = r·Kᵀ·l
      return;
    }
    if (inner instanceof Conv2d c && c.multTransAddScaled(x, xOff, xStride, y, yOff, yStride, batch, left, right)) {
      return; // (diag(l)·K·diag(r))ᵀ = diag(r)·Kᵀ·diag(l), scalings fused as in multAdd
    }
    int n = cols();
    int m = rows();
    double[] xs = x;
    int xo = xOff;
    int xst = xStride;
    if (left != null) {
      xs = new double[batch * m];
      for (int s = 0; s < batch; s++) {
        for (int i = 0; i < m; i++) {
          xs[s * m + i] = left[i] * x[xOff + s * xStride + i];
        }
      }
      xo = 0;
      xst = m;
    }
    if (right == null) {
      inner.multTransAdd(xs, xo, xst, y, yOff, yStride, batch);
      return;
    }
    double[] t = new double[batch * n];
    inner.multTransAdd(xs, xo, xst, t, 0, n, batch);
    for (int s = 0; s < batch; s++) {
      for (int j = 0; j < n; j++) {
        y[yOff + s * yStride + j] += right[j] * t[s * n + j];
      }
    }
  }

  /** |diag(l) M diag(r)| = diag(|l|) |M| diag(|r|). */
  @Override
  public LinearOperator abs() {
    return of(absOf(left), inner.abs(), absOf(right));
  }

  @Override
  public LinearOperator withFloat32Kernels() {
    LinearOperator f = inner.withFloat32Kernels();
    return f == inner ? this : new ScaledOperator(left, f, right);
  }

  @Override
  public LinearOperator absBound() {
    return of(absOf(left), inner.absBound(), absOf(right));
  }

  private static double[] absOf(double[] a) {
    if (a == null) {
      return null;
    }
    double[] r = new double[a.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.abs(a[i]);
    }
    return r;
  }

  @Override
  public LinearOperator scaled(double[] l, double[] r) {
    return of(l, this, r);
  }

  @Override
  public CsrMatrix toSparse() {
    return inner.toSparse().scaled(left, right);
  }

  @Override
  public long storedValues() {
    return inner.storedValues() + (left == null ? 0 : left.length) + (right == null ? 0 : right.length);
  }

  @Override public String kind() { return "scaled(" + inner.kind() + ")"; }

  @Override
  public long nnz() {
    boolean noZeros = (left == null || java.util.Arrays.stream(left).allMatch(v -> v != 0))
        && (right == null || java.util.Arrays.stream(right).allMatch(v -> v != 0));
    return noZeros ? inner.nnz() : toSparse().nnz();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScaledOperator s && Arrays.equals(s.left, left) && Arrays.equals(s.right, right)
        && s.inner.equals(inner);
  }

  @Override
  public int hashCode() {
    return inner.hashCode() * 31 + Arrays.hashCode(left) + Arrays.hashCode(right);
  }
}
