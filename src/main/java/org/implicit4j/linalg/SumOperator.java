package org.implicit4j.linalg;

import java.util.ArrayList;
import java.util.List;

/** M = Σ_k M_k, kept lazy so that a residual "conv + identity" block stays structured. */
public final class SumOperator implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.sum(this);
  }

  private final List<LinearOperator> terms;

  private SumOperator(List<LinearOperator> terms) {
    this.terms = terms;
  }

  /** Σ terms; nested sums are flattened, a single term is returned as is. */
  public static LinearOperator of(List<LinearOperator> terms) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("sum of no operators");
    }
    List<LinearOperator> flat = new ArrayList<>();
    for (LinearOperator t : terms) {
      DimensionMismatchException.check("sum", "first term rows", terms.get(0).rows(), t.kind() + " rows", t.rows());
      DimensionMismatchException.check("sum", "first term cols", terms.get(0).cols(), t.kind() + " cols", t.cols());
      if (t instanceof SumOperator s) {
        flat.addAll(s.terms);
      } else {
        flat.add(t);
      }
    }
    return flat.size() == 1 ? flat.get(0) : new SumOperator(List.copyOf(flat));
  }

  public static LinearOperator of(LinearOperator a, LinearOperator b) {
    return of(List.of(a, b));
  }

  public List<LinearOperator> terms() { return terms; }

  @Override public int rows() { return terms.get(0).rows(); }

  @Override public int cols() { return terms.get(0).cols(); }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (LinearOperator t : terms) {
      t.multAdd(x, xOff, xStride, y, yOff, yStride, batch);
    }
  }

  /** The float32 sum, term by term in float. */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    for (LinearOperator t : terms) {
      t.multAdd(x, xOff, xStride, y, yOff, yStride, batch);
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (LinearOperator t : terms) {
      t.multTransAdd(x, xOff, xStride, y, yOff, yStride, batch);
    }
  }

  @Override
  public LinearOperator scaled(double[] left, double[] right) {
    List<LinearOperator> s = new ArrayList<>();
    for (LinearOperator t : terms) {
      s.add(t.scaled(left, right));
    }
    return new SumOperator(List.copyOf(s));
  }

  @Override
  public LinearOperator withFloat32Kernels() {
    List<LinearOperator> f = new ArrayList<>();
    for (LinearOperator t : terms) {
      f.add(t.withFloat32Kernels());
    }
    return new SumOperator(List.copyOf(f));
  }

  @Override
  public LinearOperator absBound() {
    List<LinearOperator> a = new ArrayList<>();
    for (LinearOperator t : terms) {
      a.add(t.absBound());
    }
    return of(a);
  }

  @Override
  public CsrMatrix toSparse() {
    CsrMatrix acc = terms.get(0).toSparse();
    for (int k = 1; k < terms.size(); k++) {
      acc = acc.plus(terms.get(k).toSparse());
    }
    return acc;
  }

  @Override
  public long storedValues() {
    return terms.stream().mapToLong(LinearOperator::storedValues).sum();
  }

  @Override public String kind() { return "sum"; }

  @Override
  public boolean equals(Object o) {
    return o instanceof SumOperator s && s.terms.equals(terms);
  }

  @Override
  public int hashCode() {
    return terms.hashCode();
  }
}
