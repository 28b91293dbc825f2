package org.implicit4j.compose;

import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.linalg.LinearOperator;

/** The feedback gain K of {@link Compose#feedback}: u₁ = u + K ŷ₂; a scalar k·I or any matrix. */
public sealed interface Gain {
  /** K = k·I, sized by the models it connects. */
  record Scalar(double k) implements Gain {
    @Override
    public LinearOperator operator(int rows, int cols) {
      if (rows != cols) {
        throw new DimensionMismatchException(
            "feedback: a scalar gain needs input size = fed-back output size, got " + rows + " \u2260 " + cols);
      }
      return DiagonalMatrix.scalar(rows, k);
    }
  }

  /** Any p₁ × q₂ matrix. */
  record Matrix(LinearOperator k) implements Gain {
    @Override
    public LinearOperator operator(int rows, int cols) {
      DimensionMismatchException.check("feedback gain", "K rows", k.rows(), "left input", rows);
      DimensionMismatchException.check("feedback gain", "K cols", k.cols(), "right output", cols);
      return k;
    }
  }

  static Gain scalar(double k) {
    return new Scalar(k);
  }

  static Gain matrix(LinearOperator k) {
    return new Matrix(k);
  }

  static Gain matrix(double[][] k) {
    return new Matrix(DenseMatrix.of(k));
  }

  /** K as an operator from R^cols to R^rows, checked against the sizes it connects. */
  LinearOperator operator(int rows, int cols);
}
