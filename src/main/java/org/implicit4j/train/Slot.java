package org.implicit4j.train;

import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;

/**
 * One trainable block of A, B, C or D: its values (dense entries row-major, the stored entries of a
 * sparse block — its pattern is kept —, a diagonal, or a convolution kernel), the gradient beside
 * them, and how to rebuild the operator from them.
 *
 * @param matrix 'A', 'B', 'C' or 'D'
 * @param row the block row in that matrix
 * @param col the block column in that matrix
 */
record Slot(char matrix, int row, int col, LinearOperator original, double[] values, double[] grad) {
  /** A slot for {@code op}, or null when its kind is not trainable here (lazy sums, products, scalings). */
  static Slot of(char matrix, int row, int col, LinearOperator op) {
    double[] v;
    if (op instanceof DenseMatrix d) {
      v = d.toArray();
    } else if (op instanceof CsrMatrix c) {
      v = c.valuesCopy();
    } else if (op instanceof DiagonalMatrix d) {
      v = d.diagonal();
    } else if (op instanceof Conv2d c) {
      v = c.kernelCopy();
    } else {
      return null;
    }
    return new Slot(matrix, row, col, op, v, new double[v.length]);
  }

  /** "A(0,1) dense 40x60". */
  String name() {
    return matrix + "(" + row + "," + col + ") " + original.kind() + " " + original.rows() + "x" + original.cols();
  }

  /** The operator with the current values; {@code copy} detaches it from later updates. */
  LinearOperator operator(boolean copy) {
    double[] v = copy ? values.clone() : values;
    if (original instanceof DenseMatrix d) {
      return new DenseMatrix(d.rows(), d.cols(), v);
    }
    if (original instanceof CsrMatrix c) {
      return new CsrMatrix(c.rows(), c.cols(), c.indptrCopy(), c.indicesCopy(), v);
    }
    if (original instanceof DiagonalMatrix) {
      return new DiagonalMatrix(v);
    }
    return new Conv2d(((Conv2d) original).geometry(), v);
  }
}
