package org.implicit4j.linalg;

/**
 * One method per kind of {@link LinearOperator}: the way consumers of the closed set of operator
 * kinds (the model-file writer, the ONNX exporter) handle every kind. A new kind adds a method
 * here, so every consumer stops compiling until it handles it, instead of failing at run time.
 *
 * @param <R> what the visit returns
 * @param <X> the checked exception a visit may throw (e.g. IOException), or RuntimeException
 */
public interface OperatorVisitor<R, X extends Exception> {
  R dense(DenseMatrix m) throws X;

  R csr(CsrMatrix m) throws X;

  R diagonal(DiagonalMatrix m) throws X;

  R conv2d(Conv2d m) throws X;

  R scaled(ScaledOperator m) throws X;

  R sum(SumOperator m) throws X;

  R product(ProductOperator m) throws X;

  R block(BlockMatrix m) throws X;
}
