package org.implicit4j.linalg;

import java.util.Arrays;

/** A dense rows×cols matrix stored row-major: M_ij = {@code data[i * cols + j]}. */
public final class DenseMatrix implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.dense(this);
  }

  private final int rows;
  private final int cols;
  private final double[] data;
  /** Whether products run in float32 (see {@link #withFloat32Kernels()}). */
  private final boolean float32;

  /** Wraps {@code data} (row-major, not copied: the caller hands it over). */
  public DenseMatrix(int rows, int cols, double[] data) {
    this(rows, cols, data, false);
  }

  private DenseMatrix(int rows, int cols, double[] data, boolean float32) {
    this.float32 = float32;
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

  /**
   * Y_s += W X_s as AXPYs over output rows: acc_s += x_s[j] · (row j of Wᵀ), four samples at a time
   * so that each row of Wᵀ is read once per four samples. Every array in the inner loop is indexed
   * from 0 (Wᵀ is kept as separate row arrays), which is the loop shape the JIT vectorises; dot
   * products (reductions) and offset indexing are not. Groups of samples run in parallel.
   */
  /** The same matrix multiplying in float32 (inputs and weights rounded to float, sums in float). */
  @Override
  public DenseMatrix withFloat32Kernels() {
    return float32 ? this : new DenseMatrix(rows, cols, data, true);
  }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    long entries = (long) rows * cols;
    if (NativeBlas.worthIt(entries, batch) || !float32 && NativeBlas.inPlaceAtAnyBatch(entries, cols, false)) {
      NativeBlas.gemm(nativeWeights(true, float32), true, rows, cols, x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
    int chunks = (batch + 3) / 4;
    if (float32) {
      float[][] wt = transposed32();
      Parallel.forEach(chunks, 4L * rows * cols, c -> axpyRowsF(wt, x, xOff, xStride, y, yOff, yStride, 4 * c,
          Math.min(batch, 4 * c + 4)));
      return;
    }
    double[][] wt = transposed();
    Parallel.forEach(chunks, 4L * rows * cols, c -> axpyRows(wt, x, xOff, xStride, y, yOff, yStride, 4 * c,
        Math.min(batch, 4 * c + 4)));
  }

  /** The float32 product: OpenBLAS reads float states as they are; small batches go through double. */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    long entries = (long) rows * cols;
    if (float32 && (NativeBlas.worthIt(entries, batch) || NativeBlas.inPlaceAtAnyBatch(entries, cols, true))) {
      NativeBlas.gemm(nativeWeights(true, float32), true, rows, cols, x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
    Floats.viaDouble(this, x, xOff, xStride, y, yOff, yStride, batch);
  }

  private void axpyRows(double[][] wt, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int s0,
      int s1) {
    double[] acc0 = new double[rows];
    double[] acc1 = new double[rows];
    double[] acc2 = new double[rows];
    double[] acc3 = new double[rows];
    int s = s0;
    for (; s + 4 <= s1; s += 4) {
      int x0 = xOff + s * xStride;
      java.util.Arrays.fill(acc0, 0.0);
      java.util.Arrays.fill(acc1, 0.0);
      java.util.Arrays.fill(acc2, 0.0);
      java.util.Arrays.fill(acc3, 0.0);
      for (int j = 0; j < cols; j++) {
        double a0 = x[x0 + j];
        double a1 = x[x0 + xStride + j];
        double a2 = x[x0 + 2 * xStride + j];
        double a3 = x[x0 + 3 * xStride + j];
        if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
          continue; // ReLU states are often zero
        }
        double[] w = wt[j];
        for (int i = 0; i < rows; i++) {
          double v = w[i];
          acc0[i] += a0 * v;
          acc1[i] += a1 * v;
          acc2[i] += a2 * v;
          acc3[i] += a3 * v;
        }
      }
      int y0 = yOff + s * yStride;
      addInto(acc0, y, y0);
      addInto(acc1, y, y0 + yStride);
      addInto(acc2, y, y0 + 2 * yStride);
      addInto(acc3, y, y0 + 3 * yStride);
    }
    for (; s < s1; s++) {
      int xo = xOff + s * xStride;
      java.util.Arrays.fill(acc0, 0.0);
      for (int j = 0; j < cols; j++) {
        double a = x[xo + j];
        if (a == 0) {
          continue;
        }
        double[] w = wt[j];
        for (int i = 0; i < rows; i++) {
          acc0[i] += a * w[i];
        }
      }
      addInto(acc0, y, yOff + s * yStride);
    }
  }

  /** {@link #axpyRows} in float32. */
  private void axpyRowsF(float[][] wt, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int s0,
      int s1) {
    float[] acc0 = new float[rows];
    float[] acc1 = new float[rows];
    float[] acc2 = new float[rows];
    float[] acc3 = new float[rows];
    int s = s0;
    for (; s + 4 <= s1; s += 4) {
      int x0 = xOff + s * xStride;
      java.util.Arrays.fill(acc0, 0f);
      java.util.Arrays.fill(acc1, 0f);
      java.util.Arrays.fill(acc2, 0f);
      java.util.Arrays.fill(acc3, 0f);
      for (int j = 0; j < cols; j++) {
        float a0 = (float) x[x0 + j];
        float a1 = (float) x[x0 + xStride + j];
        float a2 = (float) x[x0 + 2 * xStride + j];
        float a3 = (float) x[x0 + 3 * xStride + j];
        if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
          continue;
        }
        float[] w = wt[j];
        for (int i = 0; i < rows; i++) {
          float v = w[i];
          acc0[i] += a0 * v;
          acc1[i] += a1 * v;
          acc2[i] += a2 * v;
          acc3[i] += a3 * v;
        }
      }
      int y0 = yOff + s * yStride;
      addInto(acc0, y, y0);
      addInto(acc1, y, y0 + yStride);
      addInto(acc2, y, y0 + 2 * yStride);
      addInto(acc3, y, y0 + 3 * yStride);
    }
    for (; s < s1; s++) {
      int xo = xOff + s * xStride;
      java.util.Arrays.fill(acc0, 0f);
      for (int j = 0; j < cols; j++) {
        float a = (float) x[xo + j];
        if (a == 0) {
          continue;
        }
        float[] w = wt[j];
        for (int i = 0; i < rows; i++) {
          acc0[i] += a * w[i];
        }
      }
      addInto(acc0, y, yOff + s * yStride);
    }
  }

  private static void addInto(float[] acc, double[] y, int off) {
    for (int i = 0; i < acc.length; i++) {
      y[off + i] += acc[i];
    }
  }

  private float[][] transposed32() {
    float[][] t = transposed32Cache;
    if (t == null) {
      t = new float[cols][rows];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          t[j][i] = (float) data[i * cols + j];
        }
      }
      transposed32Cache = t;
    }
    return t;
  }

  private volatile float[][] transposed32Cache;

  private static void addInto(double[] acc, double[] y, int off) {
    for (int i = 0; i < acc.length; i++) {
      y[off + i] += acc[i];
    }
  }

  /** Wᵀ as one array per column of W, formed once on first use; a cache, not part of the value. */
  private double[][] transposed() {
    double[][] t = transposedCache;
    if (t == null) {
      t = new double[cols][rows];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          t[j][i] = data[i * cols + j];
        }
      }
      transposedCache = t;
    }
    return t;
  }

  private volatile double[][] transposedCache;

  /**
   * W in native memory as {@link NativeBlas#gemm} reads it for the product (transB: y += W x) or
   * the transposed product, in float or double; made on first use. A cache, not part of the value.
   */
  private NativeBlas.Weights nativeWeights(boolean product, boolean fp32) {
    int slot = (product ? 2 : 0) + (fp32 ? 1 : 0);
    NativeBlas.Weights p = nativeCache.get(slot);
    if (p == null) {
      p = NativeBlas.weights(data, product, product ? rows : cols, product ? cols : rows, fp32);
      nativeCache.set(slot, p);
    }
    return p;
  }

  /** Native weights by {@link #nativeWeights} slot; racing threads may each build one, all equal. */
  private final java.util.concurrent.atomic.AtomicReferenceArray<NativeBlas.Weights> nativeCache =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(4);

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (NativeBlas.worthIt((long) rows * cols, batch)) {
      NativeBlas.gemm(nativeWeights(false, false), false, cols, rows, x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
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
    return o instanceof DenseMatrix d && d.rows == rows && d.cols == cols && d.float32 == float32
        && Arrays.equals(d.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * rows + Arrays.hashCode(data);
  }
}
