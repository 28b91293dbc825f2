package org.implicit4j.linalg;

import java.util.Arrays;
import org.ejml.data.DMatrixSparseCSC;
import org.ejml.sparse.csc.CommonOps_DSCC;

/**
 * A sparse matrix in compressed sparse row form: row i holds the entries
 * {@code values[k]} at columns {@code indices[k]} for k in [{@code indptr[i]}, {@code indptr[i+1]}).
 * Sums and products are delegated to EJML (a CSR matrix is the CSC form of its transpose).
 */
public final class CsrMatrix implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.csr(this);
  }

  private final int rows;
  private final int cols;
  private final int[] indptr;
  private final int[] indices;
  private final double[] values;

  /** Takes ownership of the arrays. */
  public CsrMatrix(int rows, int cols, int[] indptr, int[] indices, double[] values) {
    DimensionMismatchException.check("csr", "indptr length", indptr.length, "rows+1", rows + 1L);
    DimensionMismatchException.check("csr", "indices length", indices.length, "values length", values.length);
    DimensionMismatchException.check("csr", "indptr[rows]", indptr[rows], "nnz", values.length);
    this.rows = rows;
    this.cols = cols;
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
    this.rowLength = uniformRowLength(indptr, rows);
  }

  /**
   * 1 or 2 when every row holds exactly that many entries (selections, and the differences a − b of
   * a max-pool tree), else 0: those rows run without reading indptr.
   */
  private final int rowLength;

  private static int uniformRowLength(int[] indptr, int rows) {
    int len = rows > 0 ? indptr[1] - indptr[0] : 0;
    for (int i = 1; i < rows && (len == 1 || len == 2); i++) {
      len = indptr[i + 1] - indptr[i] == len ? len : 0;
    }
    return len == 1 || len == 2 ? len : 0;
  }

  /** Builds from coordinate triples; duplicates are summed, zeros dropped. */
  public static CsrMatrix fromTriples(int rows, int cols, int[] r, int[] c, double[] v, int count) {
    DMatrixSparseCSC t = new DMatrixSparseCSC(cols, rows, count);
    org.ejml.data.DMatrixSparseTriplet trip = new org.ejml.data.DMatrixSparseTriplet(cols, rows, count);
    for (int k = 0; k < count; k++) {
      trip.addItem(c[k], r[k], v[k]);
    }
    org.ejml.ops.DConvertMatrixStruct.convert(trip, t);
    return fromTransposedCsc(t);
  }

  /** The 0/1 selection matrix whose row i picks column src[i] (src[i] &lt; 0 gives a zero row). */
  public static CsrMatrix selection(int[] src, int cols) {
    int n = src.length;
    int[] ptr = new int[n + 1];
    int nnz = 0;
    for (int s : src) {
      if (s >= 0) {
        nnz++;
      }
    }
    int[] idx = new int[nnz];
    double[] val = new double[nnz];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (src[i] >= 0) {
        idx[k] = src[i];
        val[k++] = 1;
      }
      ptr[i + 1] = k;
    }
    return new CsrMatrix(n, cols, ptr, idx, val);
  }

  @Override public int rows() { return rows; }

  @Override public int cols() { return cols; }

  public long nnz() {
    return values.length;
  }

  int[] indptr() { return indptr; }

  int[] indices() { return indices; }

  double[] values() { return values; }

  /** Copies of the raw arrays, for serialisation. */
  public int[] indptrCopy() { return indptr.clone(); }

  public int[] indicesCopy() { return indices.clone(); }

  public double[] valuesCopy() { return values.clone(); }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    // Sample by sample: each sample's x stays in cache while its rows gather from it. One sample
    // splits its rows into a few chunks per thread instead.
    int chunks = batch > 1 ? 1 : Math.min(rows, 4 * Runtime.getRuntime().availableProcessors());
    long work = Math.max(1, values.length / Math.max(1, chunks));
    Parallel.forEach(batch * chunks, work, job -> {
      int s = job / chunks;
      int c = job % chunks;
      rowRange(x, xOff + s * xStride, y, yOff + s * yStride, (int) ((long) rows * c / chunks),
          (int) ((long) rows * (c + 1) / chunks));
    });
  }

  /** The values rounded to float, made on first use: float32 states gather in float. */
  private volatile float[] values32;

  /** The float32 product, sample by sample as the double one, with the values rounded to float. */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    float[] v = values32;
    if (v == null) {
      v = Floats.rounded(values);
      values32 = v;
    }
    float[] vals = v;
    Parallel.forEach(batch, Math.max(1, values.length), s -> rowRange(vals, x, xOff + s * xStride, y,
        yOff + s * yStride));
  }

  /** y += M x for one float32 sample, with the same row-length cases as the double product. */
  private void rowRange(float[] v, float[] x, int xo, float[] y, int yo) {
    if (rowLength == 1) {
      for (int i = 0; i < rows; i++) {
        y[yo + i] += v[i] * x[xo + indices[i]];
      }
    } else if (rowLength == 2) {
      for (int i = 0; i < rows; i++) {
        y[yo + i] += v[2 * i] * x[xo + indices[2 * i]] + v[2 * i + 1] * x[xo + indices[2 * i + 1]];
      }
    } else {
      for (int i = 0; i < rows; i++) {
        float acc = 0f;
        for (int k = indptr[i]; k < indptr[i + 1]; k++) {
          acc += v[k] * x[xo + indices[k]];
        }
        y[yo + i] += acc;
      }
    }
  }

  private void rowRange(double[] x, int xo, double[] y, int yo, int from, int to) {
    if (rowLength == 1) {
      for (int i = from; i < to; i++) {
        y[yo + i] += values[i] * x[xo + indices[i]];
      }
      return;
    }
    if (rowLength == 2) {
      for (int i = from; i < to; i++) {
        int k = 2 * i;
        y[yo + i] += values[k] * x[xo + indices[k]] + values[k + 1] * x[xo + indices[k + 1]];
      }
      return;
    }
    for (int i = from; i < to; i++) {
      double acc = 0;
      for (int k = indptr[i]; k < indptr[i + 1]; k++) {
        acc += values[k] * x[xo + indices[k]];
      }
      y[yo + i] += acc;
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    Parallel.forEach(batch, values.length, s -> {
      int xo = xOff + s * xStride;
      int yo = yOff + s * yStride;
      for (int i = 0; i < rows; i++) {
        double xi = x[xo + i];
        if (xi == 0) {
          continue;
        }
        for (int k = indptr[i]; k < indptr[i + 1]; k++) {
          y[yo + indices[k]] += values[k] * xi;
        }
      }
    });
  }

  @Override
  public CsrMatrix abs() {
    double[] a = new double[values.length];
    for (int k = 0; k < a.length; k++) {
      a[k] = Math.abs(values[k]);
    }
    return new CsrMatrix(rows, cols, indptr, indices, a);
  }

  @Override
  public double[] rowAbsSums() {
    double[] r = new double[rows];
    for (int i = 0; i < rows; i++) {
      double acc = 0;
      for (int k = indptr[i]; k < indptr[i + 1]; k++) {
        acc += Math.abs(values[k]);
      }
      r[i] = acc;
    }
    return r;
  }

  @Override
  public CsrMatrix scaled(double[] left, double[] right) {
    double[] a = values.clone();
    for (int i = 0; i < rows; i++) {
      double l = left == null ? 1 : left[i];
      for (int k = indptr[i]; k < indptr[i + 1]; k++) {
        a[k] *= l * (right == null ? 1 : right[indices[k]]);
      }
    }
    return new CsrMatrix(rows, cols, indptr, indices, a);
  }

  @Override public CsrMatrix toSparse() { return this; }

  @Override public long storedValues() { return values.length; }

  @Override public String kind() { return "csr"; }

  /** this + other, both rows×cols. */
  public CsrMatrix plus(CsrMatrix other) {
    DimensionMismatchException.check("csr plus", "left rows", rows, "right rows", other.rows);
    DimensionMismatchException.check("csr plus", "left cols", cols, "right cols", other.cols);
    DMatrixSparseCSC out = new DMatrixSparseCSC(cols, rows, 0);
    CommonOps_DSCC.add(1, transposedCsc(), 1, other.transposedCsc(), out, null, null);
    return fromTransposedCsc(out);
  }

  /** this · other. */
  public CsrMatrix times(CsrMatrix other) {
    DimensionMismatchException.check("csr times", "left cols", cols, "right rows", other.rows);
    // (A·B)ᵀ = Bᵀ·Aᵀ, and a CSR matrix's arrays are the CSC arrays of its transpose.
    DMatrixSparseCSC out = new DMatrixSparseCSC(other.cols, rows, 0);
    CommonOps_DSCC.mult(other.transposedCsc(), transposedCsc(), out);
    return fromTransposedCsc(out);
  }

  /** Mᵀ as CSR. */
  public CsrMatrix transpose() {
    DMatrixSparseCSC t = transposedCsc();
    DMatrixSparseCSC tt = CommonOps_DSCC.transpose(t, null, null);
    return fromTransposedCsc(tt);
  }

  /** The EJML CSC matrix of Mᵀ, sharing no arrays with this. */
  DMatrixSparseCSC transposedCsc() {
    DMatrixSparseCSC t = new DMatrixSparseCSC(cols, rows, values.length);
    System.arraycopy(indptr, 0, t.col_idx, 0, rows + 1);
    System.arraycopy(indices, 0, t.nz_rows, 0, values.length);
    System.arraycopy(values, 0, t.nz_values, 0, values.length);
    t.nz_length = values.length;
    t.indicesSorted = false;
    return t;
  }

  static CsrMatrix fromTransposedCsc(DMatrixSparseCSC t) {
    int r = t.numCols;
    int nnz = t.nz_length;
    return new CsrMatrix(r, t.numRows, Arrays.copyOf(t.col_idx, r + 1),
        Arrays.copyOf(t.nz_rows, nnz), Arrays.copyOf(t.nz_values, nnz));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CsrMatrix c && c.rows == rows && c.cols == cols && Arrays.equals(c.indptr, indptr)
        && Arrays.equals(c.indices, indices) && Arrays.equals(c.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values) * 31 + rows;
  }
}
