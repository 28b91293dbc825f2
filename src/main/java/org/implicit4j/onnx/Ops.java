package org.implicit4j.onnx;

import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.linalg.SumOperator;

/**
 * How lowering combines operators: keep structure where it matters (convolutions stay kernels,
 * diagonal scalings stay beside them) and multiply out where the result is as cheap (selections,
 * permutations, small sparse maps).
 */
public final class Ops {
  /** Products of sparse factors are formed when the result stays below this many entries. */
  private static final long MATERIALISE_LIMIT = 1L << 24;

  private Ops() {}

  static boolean isIdentity(LinearOperator op) {
    if (op instanceof DiagonalMatrix d && d.rows() == d.cols()) {
      for (double v : d.diagonal()) {
        if (v != 1) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** outer · inner. */
  static LinearOperator compose(LinearOperator outer, LinearOperator inner) {
    if (isIdentity(inner)) {
      return outer;
    }
    if (isIdentity(outer)) {
      return inner;
    }
    if (outer instanceof DiagonalMatrix d) {
      return inner.scaled(d.diagonal(), null);
    }
    if (inner instanceof DiagonalMatrix d) {
      return outer.scaled(null, d.diagonal());
    }
    if (outer instanceof CsrMatrix a && inner instanceof CsrMatrix b
        && a.nnz() + b.nnz() < MATERIALISE_LIMIT && estimate(a, b) < MATERIALISE_LIMIT) {
      return a.times(b);
    }
    if (outer instanceof CsrMatrix a && inner instanceof DenseMatrix b && (long) a.rows() * b.cols() < MATERIALISE_LIMIT
        && a.nnz() <= a.rows()) {
      // A selection/permutation of a dense matrix is again dense.
      return new DenseMatrix(a.rows(), b.cols(), denseOf(a.times(b.toSparse()), a.rows(), b.cols()));
    }
    return ProductOperator.of(outer, inner);
  }

  private static long estimate(CsrMatrix a, CsrMatrix b) {
    double perRowB = (double) b.nnz() / Math.max(1, b.rows());
    return (long) (a.nnz() * perRowB);
  }

  private static double[] denseOf(CsrMatrix c, int rows, int cols) {
    double[] d = new double[rows * cols];
    double[] e = new double[cols];
    for (int j = 0; j < cols; j++) {
      java.util.Arrays.fill(e, 0);
      e[j] = 1;
      double[] col = c.apply(e);
      for (int i = 0; i < rows; i++) {
        d[i * cols + j] = col[i];
      }
    }
    return d;
  }

  /** a + b. */
  static LinearOperator add(LinearOperator a, LinearOperator b) {
    if (a instanceof CsrMatrix x && b instanceof CsrMatrix y) {
      return x.plus(y);
    }
    if (a instanceof DiagonalMatrix x && b instanceof DiagonalMatrix y) {
      double[] p = x.diagonal();
      double[] q = y.diagonal();
      for (int i = 0; i < p.length; i++) {
        p[i] += q[i];
      }
      return new DiagonalMatrix(p);
    }
    return SumOperator.of(a, b);
  }

  /** The block-diagonal repetition I_copies ⊗ op (a batch of identical maps over a leading axis). */
  public static LinearOperator repeat(LinearOperator op, int copies) {
    if (copies == 1) {
      return op;
    }
    CsrMatrix s = op.toSparse();
    int r = s.rows();
    int c = s.cols();
    long nnz = s.nnz() * (long) copies;
    if (nnz > Integer.MAX_VALUE - 16) {
      throw new ImportException("a " + copies + "-fold repetition of a " + r + "x" + c + " map is too large");
    }
    int[] ptr = new int[r * copies + 1];
    int[] idx = new int[(int) nnz];
    double[] val = new double[(int) nnz];
    int[] sp = s.indptrCopy();
    int[] si = s.indicesCopy();
    double[] sv = s.valuesCopy();
    int k = 0;
    for (int b = 0; b < copies; b++) {
      for (int i = 0; i < r; i++) {
        for (int e = sp[i]; e < sp[i + 1]; e++) {
          idx[k] = b * c + si[e];
          val[k++] = sv[e];
        }
        ptr[b * r + i + 1] = k;
      }
    }
    return new CsrMatrix(r * copies, c * copies, ptr, idx, val);
  }


}
