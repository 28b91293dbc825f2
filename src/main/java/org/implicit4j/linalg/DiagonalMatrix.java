package org.implicit4j.linalg;

import java.util.Arrays;

/** A square diagonal matrix: M_ii = {@code diag[i]}, zero elsewhere. */
public final class DiagonalMatrix implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.diagonal(this);
  }

  private final double[] diag;

  public DiagonalMatrix(double[] diag) {
    this.diag = diag;
  }

  /** α·I of size n. */
  public static DiagonalMatrix scalar(int n, double alpha) {
    double[] d = new double[n];
    Arrays.fill(d, alpha);
    return new DiagonalMatrix(d);
  }

  public static DiagonalMatrix identity(int n) {
    return scalar(n, 1.0);
  }

  @Override public int rows() { return diag.length; }

  @Override public int cols() { return diag.length; }

  public double[] diagonal() {
    return diag.clone();
  }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (int s = 0; s < batch; s++) {
      StagedAdd.addScaled(y, yOff + s * yStride, diag, x, xOff + s * xStride);
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    multAdd(x, xOff, xStride, y, yOff, yStride, batch);
  }

  /** The diagonal rounded to float, made on first use: float32 states scale in float. */
  private volatile float[] diag32;

  /** y_s += (d rounded to float) ⊙ x_s in float: a residual connection's identity is one add a value. */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    float[] d = diag32;
    if (d == null) {
      d = Floats.rounded(diag);
      diag32 = d;
    }
    for (int s = 0; s < batch; s++) {
      StagedAdd.addScaled(y, yOff + s * yStride, d, x, xOff + s * xStride);
    }
  }

  @Override
  public DiagonalMatrix abs() {
    double[] a = new double[diag.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = Math.abs(diag[i]);
    }
    return new DiagonalMatrix(a);
  }

  @Override
  public double[] rowAbsSums() {
    return abs().diag;
  }

  @Override
  public DiagonalMatrix scaled(double[] left, double[] right) {
    double[] a = diag.clone();
    for (int i = 0; i < a.length; i++) {
      a[i] *= (left == null ? 1 : left[i]) * (right == null ? 1 : right[i]);
    }
    return new DiagonalMatrix(a);
  }

  @Override
  public CsrMatrix toSparse() {
    int n = diag.length;
    int nnz = 0;
    for (double v : diag) {
      if (v != 0) {
        nnz++;
      }
    }
    int[] ptr = new int[n + 1];
    int[] idx = new int[nnz];
    double[] val = new double[nnz];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (diag[i] != 0) {
        idx[k] = i;
        val[k++] = diag[i];
      }
      ptr[i + 1] = k;
    }
    return new CsrMatrix(n, n, ptr, idx, val);
  }

  @Override public long storedValues() { return diag.length; }

  @Override
  public long nnz() {
    return java.util.Arrays.stream(diag).filter(v -> v != 0).count();
  }

  @Override public String kind() { return "diagonal"; }

  @Override
  public boolean equals(Object o) {
    return o instanceof DiagonalMatrix d && Arrays.equals(d.diag, diag);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(diag);
  }
}
