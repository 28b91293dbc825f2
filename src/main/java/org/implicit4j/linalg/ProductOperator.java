package org.implicit4j.linalg;

import java.util.ArrayList;
import java.util.List;

/**
 * M = F_0 · F_1 · … · F_k, applied right to left without forming the product, so that e.g. a pooling
 * after a convolution, or the B₂C₁ block of a cascade, stays structured.
 */
public final class ProductOperator implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.product(this);
  }

  private final List<LinearOperator> factors;

  private ProductOperator(List<LinearOperator> factors) {
    this.factors = factors;
  }

  /** outer · inner; nested products are flattened. */
  public static LinearOperator of(LinearOperator outer, LinearOperator inner) {
    DimensionMismatchException.check("product", "outer " + outer.kind() + " cols", outer.cols(),
        "inner " + inner.kind() + " rows", inner.rows());
    List<LinearOperator> f = new ArrayList<>();
    addFlat(f, outer);
    addFlat(f, inner);
    return new ProductOperator(List.copyOf(f));
  }

  private static void addFlat(List<LinearOperator> f, LinearOperator op) {
    if (op instanceof ProductOperator p) {
      f.addAll(p.factors);
    } else {
      f.add(op);
    }
  }

  /** Factors, outermost first. */
  public List<LinearOperator> factors() { return factors; }

  static LinearOperator ofFactors(List<LinearOperator> factors) {
    LinearOperator acc = factors.get(factors.size() - 1);
    for (int k = factors.size() - 2; k >= 0; k--) {
      acc = of(factors.get(k), acc);
    }
    return acc;
  }

  @Override public int rows() { return factors.get(0).rows(); }

  @Override public int cols() { return factors.get(factors.size() - 1).cols(); }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    double[] cur = x;
    int off = xOff;
    int stride = xStride;
    for (int k = factors.size() - 1; k >= 1; k--) {
      LinearOperator f = factors.get(k);
      double[] next = new double[batch * f.rows()];
      f.multAdd(cur, off, stride, next, 0, f.rows(), batch);
      cur = next;
      off = 0;
      stride = f.rows();
    }
    factors.get(0).multAdd(cur, off, stride, y, yOff, yStride, batch);
  }

  /** The float32 product, factor by factor in float as the double one (not widened to double). */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    float[] cur = x;
    int off = xOff;
    int stride = xStride;
    for (int k = factors.size() - 1; k >= 1; k--) {
      LinearOperator f = factors.get(k);
      float[] next = new float[batch * f.rows()];
      f.multAdd(cur, off, stride, next, 0, f.rows(), batch);
      cur = next;
      off = 0;
      stride = f.rows();
    }
    factors.get(0).multAdd(cur, off, stride, y, yOff, yStride, batch);
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    double[] cur = x;
    int off = xOff;
    int stride = xStride;
    for (int k = 0; k < factors.size() - 1; k++) {
      LinearOperator f = factors.get(k);
      double[] next = new double[batch * f.cols()];
      f.multTransAdd(cur, off, stride, next, 0, f.cols(), batch);
      cur = next;
      off = 0;
      stride = f.cols();
    }
    factors.get(factors.size() - 1).multTransAdd(cur, off, stride, y, yOff, yStride, batch);
  }

  @Override
  public LinearOperator scaled(double[] left, double[] right) {
    List<LinearOperator> f = new ArrayList<>(factors);
    if (left != null) {
      f.set(0, f.get(0).scaled(left, null));
    }
    if (right != null) {
      int last = f.size() - 1;
      f.set(last, f.get(last).scaled(null, right));
    }
    return new ProductOperator(List.copyOf(f));
  }

  /**
   * |F_0 ⋯ F_k| = |F_0| ⋯ |F_k| exactly when every entry of the product is a single path: all
   * factors left of one core factor have at most one non-zero per row (selections, paddings,
   * permutations, diagonals) and all factors right of it at most one per column. Then |M| stays a
   * lazy product; otherwise it is formed as a sparse matrix.
   */
  @Override
  public LinearOperator abs() {
    int k = factors.size();
    for (int core = 0; core < k; core++) {
      boolean ok = true;
      for (int i = 0; i < core && ok; i++) {
        ok = atMostOnePerRow(factors.get(i));
      }
      for (int i = core + 1; i < k && ok; i++) {
        ok = atMostOnePerColumn(factors.get(i));
      }
      if (ok) {
        List<LinearOperator> a = new ArrayList<>();
        for (LinearOperator f : factors) {
          a.add(f.abs());
        }
        return ofFactors(a);
      }
    }
    return toSparse().abs();
  }

  @Override
  public LinearOperator withFloat32Kernels() {
    List<LinearOperator> f = new ArrayList<>();
    for (LinearOperator t : factors) {
      f.add(t.withFloat32Kernels());
    }
    return new ProductOperator(List.copyOf(f));
  }

  /** Below this many entries (rows·cols) the exact |M| is formed; above, the lazy Π|F_k|. */
  private static final long EXACT_ABS_LIMIT = 1L << 22;

  @Override
  public LinearOperator absBound() {
    if ((long) rows() * cols() <= EXACT_ABS_LIMIT) {
      return abs();
    }
    List<LinearOperator> a = new ArrayList<>();
    for (LinearOperator f : factors) {
      a.add(f.absBound());
    }
    return ofFactors(a);
  }

  private static boolean atMostOnePerRow(LinearOperator f) {
    if (f instanceof DiagonalMatrix) {
      return true;
    }
    if (f instanceof CsrMatrix c) {
      int[] p = c.indptr();
      for (int i = 0; i < c.rows(); i++) {
        if (p[i + 1] - p[i] > 1) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static boolean atMostOnePerColumn(LinearOperator f) {
    if (f instanceof DiagonalMatrix) {
      return true;
    }
    if (f instanceof CsrMatrix c) {
      boolean[] seen = new boolean[c.cols()];
      for (int j : c.indices()) {
        if (seen[j]) {
          return false;
        }
        seen[j] = true;
      }
      return true;
    }
    return false;
  }

  @Override
  public CsrMatrix toSparse() {
    CsrMatrix acc = factors.get(factors.size() - 1).toSparse();
    for (int k = factors.size() - 2; k >= 0; k--) {
      acc = factors.get(k).toSparse().times(acc);
    }
    return acc;
  }

  @Override
  public long storedValues() {
    return factors.stream().mapToLong(LinearOperator::storedValues).sum();
  }

  @Override public String kind() { return "product"; }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProductOperator p && p.factors.equals(factors);
  }

  @Override
  public int hashCode() {
    return factors.hashCode();
  }
}
