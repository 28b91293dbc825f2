package org.implicit4j.compose;

import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;

/** The feedback gain K of {@link Compose#feedback}: u₁ = u + K ŷ₂. */
public final class Gain {
  private final double scalar;
  private final LinearOperator matrix;

  private Gain(double scalar, LinearOperator matrix) {
    this.scalar = scalar;
    this.matrix = matrix;
  }

  /** K = k·I (sizes taken from the models it connects). */
  public static Gain scalar(double k) {
    return new Gain(k, null);
  }

  /** Any p₁ × q₂ matrix. */
  public static Gain matrix(LinearOperator k) {
    return new Gain(Double.NaN, k);
  }

  public static Gain matrix(double[][] k) {
    return matrix(DenseMatrix.of(k));
  }

  /** K as an operator from R^cols to R^rows. */
  LinearOperator operator(int rows, int cols) {
    if (matrix == null) {
      if (rows != cols) {
        throw new org.implicit4j.linalg.DimensionMismatchException(
            "feedback: a scalar gain needs input size = fed-back output size, got " + rows + " \u2260 " + cols);
      }
      return DiagonalMatrix.scalar(rows, scalar);
    }
    org.implicit4j.linalg.DimensionMismatchException.check("feedback gain", "K rows", matrix.rows(), "left input", rows);
    org.implicit4j.linalg.DimensionMismatchException.check("feedback gain", "K cols", matrix.cols(), "right output", cols);
    return matrix;
  }
}
