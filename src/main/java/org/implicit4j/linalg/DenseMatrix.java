package org.implicit4j.linalg;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;

/** A dense rows×cols matrix stored row-major: M_ij = {@code data[i * cols + j]}. */
public final class DenseMatrix implements LinearOperator {
  private final int rows;
  private final int cols;
  private final double[] data;

  /** Wraps {@code data} (row-major, not copied: the caller hands it over). */
  public DenseMatrix(int rows, int cols, double[] data) {
    if ((long) rows * cols != data.length) {
      throw new DimensionMismatchException("dense matrix: rows·cols " + ((long) rows * cols) + " \u2260 data length " + data.length);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  public static DenseMatrix of(double[][] a) {
    int r = a.length;
    int c = r == 0 ? 0 : a[0].length;
    double[] d = new double[r * c];
    for (int i = 0; i < r; i++) {
      DimensionMismatchException.check("dense matrix", "row 0 length", c, "row " + i + " length", a[i].length);
      System.arraycopy(a[i], 0, d, i * c, c);
    }
    return new DenseMatrix(r, c, d);
  }

  public static DenseMatrix identity(int n) {
    double[] d = new double[n * n];
    for (int i = 0; i < n; i++) {
      d[i * n + i] = 1;
    }
    return new DenseMatrix(n, n, d);
  }

  @Override public int rows() { return rows; }

  @Override public int cols() { return cols; }

  public double get(int i, int j) {
    return data[i * cols + j];
  }

  /** Row-major values; a copy. */
  public double[] toArray() {
    return data.clone();
  }

  /** Row-major values without copying: for kernels and serialisers only, never modified. */
  double[] data() {
    return data;
  }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (batch >= 8 && (long) rows * cols >= 4096) {
      // Y(batch×rows) += X(batch×cols) · Wᵀ as one GEMM: EJML's blocked kernel beats row dots.
      DMatrixRMaj xm = gather(x, xOff, xStride, batch, cols);
      DMatrixRMaj w = DMatrixRMaj.wrap(rows, cols, data);
      DMatrixRMaj out = new DMatrixRMaj(batch, rows);
      if ((long) batch * rows * cols > 1L << 22) {
        CommonOps_MT_DDRM.multTransB(xm, w, out);
      } else {
        CommonOps_DDRM.multTransB(xm, w, out);
      }
      scatterAdd(out, y, yOff, yStride, batch, rows);
      return;
    }
    Parallel.forEach(rows, (long) cols * batch, i -> {
      int r = i * cols;
      for (int s = 0; s < batch; s++) {
        int xo = xOff + s * xStride;
        double acc = 0;
        for (int j = 0; j < cols; j++) {
          acc += data[r + j] * x[xo + j];
        }
        y[yOff + s * yStride + i] += acc;
      }
    });
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    Parallel.forEach(batch, (long) rows * cols, s -> {
      int xo = xOff + s * xStride;
      int yo = yOff + s * yStride;
      for (int i = 0; i < rows; i++) {
        double xi = x[xo + i];
        if (xi == 0) {
          continue;
        }
        int r = i * cols;
        for (int j = 0; j < cols; j++) {
          y[yo + j] += data[r + j] * xi;
        }
      }
    });
  }

  static DMatrixRMaj gather(double[] x, int off, int stride, int batch, int len) {
    DMatrixRMaj m = new DMatrixRMaj(batch, len);
    for (int s = 0; s < batch; s++) {
      System.arraycopy(x, off + s * stride, m.data, s * len, len);
    }
    return m;
  }

  static void scatterAdd(DMatrixRMaj m, double[] y, int off, int stride, int batch, int len) {
    for (int s = 0; s < batch; s++) {
      int yo = off + s * stride;
      int mo = s * len;
      for (int i = 0; i < len; i++) {
        y[yo + i] += m.data[mo + i];
      }
    }
  }

  @Override
  public DenseMatrix abs() {
    double[] a = new double[data.length];
    for (int k = 0; k < a.length; k++) {
      a[k] = Math.abs(data[k]);
    }
    return new DenseMatrix(rows, cols, a);
  }

  @Override
  public double[] rowAbsSums() {
    double[] r = new double[rows];
    for (int i = 0; i < rows; i++) {
      double acc = 0;
      for (int j = 0; j < cols; j++) {
        acc += Math.abs(data[i * cols + j]);
      }
      r[i] = acc;
    }
    return r;
  }

  @Override
  public LinearOperator scaled(double[] left, double[] right) {
    // Dense storage has no structure to keep: multiply the scalings in.
    double[] a = data.clone();
    for (int i = 0; i < rows; i++) {
      double l = left == null ? 1 : left[i];
      for (int j = 0; j < cols; j++) {
        a[i * cols + j] *= l * (right == null ? 1 : right[j]);
      }
    }
    return new DenseMatrix(rows, cols, a);
  }

  @Override
  public CsrMatrix toSparse() {
    int nnz = 0;
    for (double v : data) {
      if (v != 0) {
        nnz++;
      }
    }
    int[] ptr = new int[rows + 1];
    int[] idx = new int[nnz];
    double[] val = new double[nnz];
    int k = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double v = data[i * cols + j];
        if (v != 0) {
          idx[k] = j;
          val[k++] = v;
        }
      }
      ptr[i + 1] = k;
    }
    return new CsrMatrix(rows, cols, ptr, idx, val);
  }

  @Override public long storedValues() { return data.length; }

  @Override
  public long nnz() {
    long k = 0;
    for (double v : data) {
      if (v != 0) {
        k++;
      }
    }
    return k;
  }

  @Override public String kind() { return "dense"; }

  @Override
  public boolean equals(Object o) {
    return o instanceof DenseMatrix d && d.rows == rows && d.cols == cols && Arrays.equals(d.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * rows + Arrays.hashCode(data);
  }
}
