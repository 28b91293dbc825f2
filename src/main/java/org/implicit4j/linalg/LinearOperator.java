package org.implicit4j.linalg;

/**
 * A linear map M: R^cols → R^rows that may be stored in any structure (dense, sparse, diagonal,
 * convolution, lazy sums and products). All products are batched: a batch is a {@code double[]}
 * holding {@code batch} vectors, vector s starting at {@code off + s * stride}; this lets an
 * operator read and write a block of a larger state vector in place.
 *
 * <p>Implementations are immutable. The kinds are closed (sealed): consumers handle each one
 * through {@link #accept(OperatorVisitor)}.
 */
public sealed interface LinearOperator permits DenseMatrix, CsrMatrix, DiagonalMatrix, Conv2d, ScaledOperator,
    SumOperator, ProductOperator, BlockMatrix {
  int rows();

  int cols();

  /**
   * y_s += M x_s for every sample s: {@code y[yOff + s*yStride + i] += Σ_j M_ij x[xOff + s*xStride + j]}.
   *
   * @param x (Input) not modified
   * @param y (Output) modified
   */
  void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch);

  /**
   * y_s += Mᵀ x_s for every sample s: {@code y[yOff + s*yStride + j] += Σ_i M_ij x[xOff + s*xStride + i]}.
   *
   * @param x (Input) length-rows vectors, not modified
   * @param y (Output) length-cols vectors, modified
   */
  void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch);

  /**
   * y_s += M x_s on float32 batches, laid out as in the double product: for the float32 solve,
   * which keeps its states in float as ONNX Runtime does. This default widens x to double,
   * multiplies and rounds the sums back, so every kind has one; the operators float32 networks are
   * made of override it with float kernels.
   */
  default void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    Floats.viaDouble(this, x, xOff, xStride, y, yOff, yStride, batch);
  }

  /** |M|, elementwise absolute value, kept in the same structure where that is exact. */
  default LinearOperator abs() {
    return toSparse().abs();
  }

  /**
   * An entrywise upper bound U ≥ |M| that is cheap to apply: |M| itself for stored structures, the
   * lazy Σ|M_k| for sums and Π|F_k| for products (exact when every entry is a single path). Used
   * where a bound is all that is needed, e.g. the rescaling weights w = (I − U/ρ)⁻¹1 keep
   * (|M|w)_i ≤ (Uw)_i.
   */
  default LinearOperator absBound() {
    return abs();
  }

  /** r_i = Σ_j |M_ij|, the row ℓ1 norms. */
  default double[] rowAbsSums() {
    return abs().rowSums();
  }

  /** r_i = Σ_j M_ij = (M1)_i; for a non-negative M (|M| or a bound on it) the row ℓ1 norms. */
  default double[] rowSums() {
    double[] ones = new double[cols()];
    java.util.Arrays.fill(ones, 1.0);
    double[] r = new double[rows()];
    multAdd(ones, 0, cols(), r, 0, rows(), 1);
    return r;
  }

  /**
   * diag(left) · M · diag(right); a null side means the identity. Structured operators stay
   * structured: the scalings are kept beside them, not multiplied in.
   */
  default LinearOperator scaled(double[] left, double[] right) {
    return ScaledOperator.of(left, this, right);
  }

  /** The same map as an explicit sparse (CSR) matrix. */
  CsrMatrix toSparse();

  /** Number of structurally non-zero entries of the matrix this operator represents. */
  default long nnz() {
    return toSparse().nnz();
  }

  /** Number of stored parameters (for a convolution, the kernel size; for dense, rows·cols). */
  long storedValues();

  /**
   * The same map computing in float32 where a kernel exists for it (convolutions, dense blocks);
   * structures without one are returned as they are. Used for fast prediction only: analysis,
   * rescaling and verification use the double operators.
   */
  default LinearOperator withFloat32Kernels() {
    return this;
  }

  /** Calls the visitor's method for this operator's kind. */
  <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X;

  /** Short name of the structure, e.g. "dense", "csr", "conv2d". */
  String kind();

  /** y = M x for one vector; a convenience over {@link #multAdd}. */
  default double[] apply(double[] x) {
    DimensionMismatchException.check(kind() + " apply", "operator cols", cols(), "vector length", x.length);
    double[] y = new double[rows()];
    multAdd(x, 0, x.length, y, 0, y.length, 1);
    return y;
  }
}
