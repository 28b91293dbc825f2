package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.implicit4j.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every operator against its explicit matrix, built independently of the operator's own kernels. */
class LinearOperatorTest {

  /**
   * The operator's own view of itself, column by column from unit vectors: used only where the
   * reference is built independently (see {@link #operators()}) or for derived operators.
   */
  static double[][] explicit(LinearOperator op) {
    double[][] m = new double[op.rows()][op.cols()];
    for (int j = 0; j < op.cols(); j++) {
      double[] e = new double[op.cols()];
      e[j] = 1;
      double[] col = op.apply(e);
      for (int i = 0; i < op.rows(); i++) {
        m[i][j] = col[i];
      }
    }
    return m;
  }

  /** Row-major data as a matrix. */
  static double[][] matrix(int rows, int cols, double[] data) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(data, i * cols, m[i], 0, cols);
    }
    return m;
  }

  /** The convolution's matrix from the direct definition of Conv (TestModels.naiveConv), not from Conv2d. */
  static double[][] convMatrix(ConvGeometry g, double[] kernel) {
    double[][] m = new double[g.outputSize()][g.inputSize()];
    for (int j = 0; j < g.inputSize(); j++) {
      double[] e = new double[g.inputSize()];
      e[j] = 1;
      double[] col = TestModels.naiveConv(g, kernel, e);
      for (int i = 0; i < col.length; i++) {
        m[i][j] = col[i];
      }
    }
    return m;
  }


  static double[][] plus(double[][] a, double[][] b) {
    double[][] c = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        c[i][j] = a[i][j] + b[i][j];
      }
    }
    return c;
  }

  /** diag(left)·M·diag(right); a null side is the identity. */
  static double[][] scaled(double[] left, double[][] m, double[] right) {
    double[][] c = new double[m.length][m[0].length];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[0].length; j++) {
        c[i][j] = (left == null ? 1 : left[i]) * m[i][j] * (right == null ? 1 : right[j]);
      }
    }
    return c;
  }

  /** Each operator with its matrix, built from the operator's data by plain loops, never by its kernels. */
  static Stream<Arguments> operators() {
    Random r = new Random(7);
    ConvGeometry plain = new ConvGeometry(3, 5, 6, 4, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    ConvGeometry strided = new ConvGeometry(2, 7, 5, 2, 4, 2, 3, 3, 2, 2, 1, 0, 1, 1, 1);
    ConvGeometry dilated = new ConvGeometry(4, 8, 8, 6, 4, 4, 3, 2, 2, 2, 2, 1, 2, 3, 2);
    ConvGeometry depthwise = new ConvGeometry(3, 5, 5, 3, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 3);
    double[] dData = TestModels.randn(r, 54, 1);
    double[] cData = sparsify(TestModels.randn(r, 54, 1));
    double[] diag = TestModels.randn(r, 7, 1);
    double[] k = TestModels.randn(r, plain.kernelSize(), 1);
    double[][] dM = matrix(6, 9, dData);
    double[][] cM = matrix(9, 6, cData);
    double[][] kM = convMatrix(plain, k);
    double[][] diagM = scaled(diag, matrix(7, 7, identity(7)), null);
    LinearOperator dense = new DenseMatrix(6, 9, dData);
    LinearOperator csr = new DenseMatrix(9, 6, cData).toSparse();
    LinearOperator conv = new Conv2d(plain, k);
    double[] left = TestModels.randn(r, conv.rows(), 1);
    double[] right = TestModels.randn(r, conv.cols(), 1);
    double[] sumRight = TestModels.randn(r, 9, 1);
    double[][] block = new double[15][15];
    for (int i = 0; i < 6; i++) {
      System.arraycopy(dM[i], 0, block[i], 0, 9);
    }
    for (int i = 0; i < 9; i++) {
      System.arraycopy(cM[i], 0, block[6 + i], 9, 6);
    }
    return Stream.of(
        Arguments.of("dense", dense, dM),
        Arguments.of("csr", csr, cM),
        csrRows("csr one entry a row (gather)", 1, r),
        csrRows("csr two entries a row (max-pool differences)", 2, r),
        Arguments.of("diagonal", new DiagonalMatrix(diag), diagM),
        Arguments.of("conv", conv, kM),
        convCase("conv strided asym", strided, r),
        convCase("conv dilated grouped", dilated, r),
        convCase("conv depthwise", depthwise, r),
        Arguments.of("scaled conv", conv.scaled(left, right), scaled(left, kM, right)),
        Arguments.of("sum", SumOperator.of(List.of(dense, dense.scaled(null, sumRight))),
            plus(dM, scaled(null, dM, sumRight))),
        Arguments.of("product", ProductOperator.of(dense, csr), TestModels.times(dM, cM)),
        Arguments.of("block", new BlockMatrix(new int[] {6, 9}, new int[] {9, 6},
            List.of(new BlockMatrix.Block(0, 0, dense), new BlockMatrix.Block(1, 1, csr))), block));
  }

  /** A 7×9 sparse matrix with exactly {@code perRow} entries in every row, at random columns. */
  private static Arguments csrRows(String name, int perRow, Random r) {
    double[] v = new double[7 * 9];
    for (int i = 0; i < 7; i++) {
      int first = r.nextInt(9);
      for (int e = 0; e < perRow; e++) {
        v[i * 9 + (first + 4 * e) % 9] = r.nextGaussian();
      }
    }
    return Arguments.of(name, new DenseMatrix(7, 9, v).toSparse(), matrix(7, 9, v));
  }

  private static Arguments convCase(String name, ConvGeometry g, Random r) {
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    return Arguments.of(name, new Conv2d(g, k), convMatrix(g, k));
  }

  private static double[] identity(int n) {
    double[] d = new double[n * n];
    for (int i = 0; i < n; i++) {
      d[i * n + i] = 1;
    }
    return d;
  }

  private static double[] sparsify(double[] v) {
    for (int i = 0; i < v.length; i++) {
      if (i % 3 != 0) {
        v[i] = 0;
      }
    }
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void batchedProductsMatchExplicitMatrix(String name, LinearOperator op, double[][] m) {
    Random r = new Random(name.hashCode());
    int batch = 5;
    int xStride = op.cols() + 3;
    int yStride = op.rows() + 2;
    double[] x = TestModels.randn(r, batch * xStride, 1);
    double[] y = TestModels.randn(r, batch * yStride, 1);
    double[] y0 = y.clone();
    op.multAdd(x, 1, xStride, y, 2, yStride, batch);
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < op.rows(); i++) {
        double e = y0[2 + s * yStride + i];
        for (int j = 0; j < op.cols(); j++) {
          e += m[i][j] * x[1 + s * xStride + j];
        }
        assertEquals(e, y[2 + s * yStride + i], 1e-12, name + " multAdd sample " + s + " row " + i);
      }
    }
    double[] xt = TestModels.randn(r, batch * op.rows(), 1);
    double[] yt = new double[batch * op.cols()];
    op.multTransAdd(xt, 0, op.rows(), yt, 0, op.cols(), batch);
    for (int s = 0; s < batch; s++) {
      for (int j = 0; j < op.cols(); j++) {
        double e = 0;
        for (int i = 0; i < op.rows(); i++) {
          e += m[i][j] * xt[s * op.rows() + i];
        }
        assertEquals(e, yt[s * op.cols() + j], 1e-12, name + " multTransAdd");
      }
    }
  }

  /**
   * The float32 product of every kind, plain and with float32 kernels, on blocks of one float
   * state array (x and y in the same array, as the float32 solve calls it), against the explicit
   * matrix on the float inputs: to float precision.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void float32ProductsOnOneStateArrayMatchExplicitMatrix(String name, LinearOperator op, double[][] m) {
    Random r = new Random(name.hashCode() + 1);
    int batch = 5;
    int stride = op.rows() + op.cols() + 3; // a sample: y block, 3 gap values, x block
    int xOff = op.rows() + 3;
    for (LinearOperator f : new LinearOperator[] {op, op.withFloat32Kernels()}) {
      float[] state = new float[batch * stride];
      for (int i = 0; i < state.length; i++) {
        state[i] = (float) r.nextGaussian();
      }
      float[] before = state.clone();
      f.multAdd(state, xOff, stride, state, 0, stride, batch);
      for (int s = 0; s < batch; s++) {
        for (int i = 0; i < op.rows(); i++) {
          double e = before[s * stride + i];
          double scale = Math.abs(e);
          for (int j = 0; j < op.cols(); j++) {
            e += m[i][j] * before[s * stride + xOff + j];
            scale += Math.abs(m[i][j] * before[s * stride + xOff + j]);
          }
          assertEquals(e, state[s * stride + i], 1e-6 * (1 + scale), name + " sample " + s + " row " + i);
        }
        for (int j = op.rows(); j < stride; j++) {
          assertEquals(before[s * stride + j], state[s * stride + j], name + ": x and the gap stay as they were");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void absRowSumsSparseAndScalingMatchExplicitMatrix(String name, LinearOperator op, double[][] m) {
    double[][] abs = explicit(op.abs());
    double[][] sp = explicit(op.toSparse());
    double[] rows = op.rowAbsSums();
    long nnz = 0;
    for (int i = 0; i < op.rows(); i++) {
      double rs = 0;
      for (int j = 0; j < op.cols(); j++) {
        assertEquals(Math.abs(m[i][j]), abs[i][j], 1e-12, name + " abs");
        assertEquals(m[i][j], sp[i][j], 1e-12, name + " toSparse");
        rs += Math.abs(m[i][j]);
        if (m[i][j] != 0) {
          nnz++;
        }
      }
      assertEquals(rs, rows[i], 1e-12, name + " row sums");
    }
    if (!(op instanceof SumOperator) && !(op instanceof ProductOperator)) {
      assertEquals(nnz, op.nnz(), name + " nnz");
    }
    Random r = new Random(3);
    double[] left = TestModels.randn(r, op.rows(), 1);
    double[] right = TestModels.randn(r, op.cols(), 1);
    double[][] sc = explicit(op.scaled(left, right));
    for (int i = 0; i < op.rows(); i++) {
      for (int j = 0; j < op.cols(); j++) {
        assertEquals(left[i] * m[i][j] * right[j], sc[i][j], 1e-12, name + " scaled");
      }
    }
  }

  @Test
  void convMatchesNaiveDefinitionOnManyGeometries() {
    Random r = new Random(11);
    for (int trial = 0; trial < 60; trial++) {
      int groups = 1 + r.nextInt(3);
      int cin = groups * (1 + r.nextInt(3));
      int cout = groups * (1 + r.nextInt(3));
      int h = 3 + r.nextInt(6);
      int w = 3 + r.nextInt(6);
      int kh = 1 + r.nextInt(3);
      int kw = 1 + r.nextInt(3);
      int sh = 1 + r.nextInt(3);
      int sw = 1 + r.nextInt(3);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(2);
      int pt = r.nextInt(3);
      int pl = r.nextInt(3);
      int pb = r.nextInt(3);
      int pr = r.nextInt(3);
      int oh = ConvGeometry.outputSize(h, kh, sh, pt, pb, dh);
      int ow = ConvGeometry.outputSize(w, kw, sw, pl, pr, dw);
      if (oh <= 0 || ow <= 0) {
        continue;
      }
      ConvGeometry g = new ConvGeometry(cin, h, w, cout, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, groups);
      double[] k = TestModels.randn(r, g.kernelSize(), 1);
      double[] x = TestModels.randn(r, g.inputSize(), 1);
      assertArrayEquals(TestModels.naiveConv(g, k, x), new Conv2d(g, k).apply(x), 1e-12, g.toString());
    }
  }

  @Test
  void float32KernelsAgreeWithDoubleToFloatPrecision() {
    Random r = new Random(13);
    ConvGeometry g = new ConvGeometry(4, 9, 7, 6, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 2);
    LinearOperator[] ops = {new Conv2d(g, TestModels.randn(r, g.kernelSize(), 1)),
        new DenseMatrix(13, 17, TestModels.randn(r, 13 * 17, 1))};
    for (LinearOperator op : ops) {
      LinearOperator f = op.withFloat32Kernels();
      for (int batch : new int[] {1, 6}) {
        double[] x = TestModels.randn(r, batch * op.cols(), 1);
        double[] y = new double[batch * op.rows()];
        double[] yf = new double[batch * op.rows()];
        op.multAdd(x, 0, op.cols(), y, 0, op.rows(), batch);
        f.multAdd(x, 0, op.cols(), yf, 0, op.rows(), batch);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
          assertEquals(y[i], yf[i], 1e-4 * Math.max(1, Math.abs(y[i])), op.kind());
          worst = Math.max(worst, Math.abs(y[i] - yf[i]));
        }
        assertTrue(worst > 0, op.kind() + " float32 path must round");
      }
      assertTrue(!f.equals(op));
    }
  }

  @Test
  void sparseAlgebraAgreesWithDense() {
    Random r = new Random(5);
    DenseMatrix a = new DenseMatrix(4, 5, sparsify(TestModels.randn(r, 20, 1)));
    DenseMatrix b = new DenseMatrix(5, 3, sparsify(TestModels.randn(r, 15, 1)));
    double[][] ab = explicit(a.toSparse().times(b.toSparse()));
    double[][] at = explicit(a.toSparse().transpose());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        double e = 0;
        for (int k = 0; k < 5; k++) {
          e += a.get(i, k) * b.get(k, j);
        }
        assertEquals(e, ab[i][j], 1e-12);
      }
      for (int k = 0; k < 5; k++) {
        assertEquals(a.get(i, k), at[k][i], 0);
      }
    }
    double[][] sum = explicit(a.toSparse().plus(a.toSparse()));
    for (int i = 0; i < 4; i++) {
      for (int k = 0; k < 5; k++) {
        assertEquals(2 * a.get(i, k), sum[i][k], 0, "sum at " + i + "," + k);
      }
    }
  }

  @Test
  void mismatchedShapesNameBothSides() {
    DenseMatrix a = new DenseMatrix(2, 3, new double[6]);
    DenseMatrix b = new DenseMatrix(4, 2, new double[8]);
    DimensionMismatchException e = assertThrows(DimensionMismatchException.class, () -> ProductOperator.of(a, b));
    assertTrue(e.getMessage().contains("cols 3") && e.getMessage().contains("rows 4"), e.getMessage());
  }

  @Test
  void strictUpperTriangularityIsReadFromTheBlockStructure() {
    LinearOperator z = new DenseMatrix(2, 2, new double[] {1, 2, 3, 4});
    BlockMatrix upper = new BlockMatrix(new int[] {2, 2}, new int[] {2, 2}, List.of(new BlockMatrix.Block(0, 1, z)));
    BlockMatrix diag = upper.withBlock(1, 1, z);
    assertTrue(upper.isStrictlyBlockUpperTriangular());
    assertTrue(!diag.isStrictlyBlockUpperTriangular());
  }
}
