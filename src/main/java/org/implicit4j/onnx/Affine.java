package org.implicit4j.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.implicit4j.linalg.LinearOperator;

/**
 * The value of an ONNX tensor during lowering: an affine function of the model input and the states
 * created so far, v = Σ_k T_k · s_k + bias, flattened in C order of {@code shape}. A value without
 * terms is a constant; that is how constant folding falls out of the same code.
 *
 * @param terms source → operator (rows = size of this value, cols = size of the source); source
 *     {@link #INPUT} is the model input u, k ≥ 0 is the k-th state block in creation order
 */
public record Affine(int[] shape, Map<Integer, LinearOperator> terms, double[] bias, boolean integer) {
  public static final int INPUT = -1;

  public Affine {
    terms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    shape = shape.clone();
    if (bias.length != Tensor.sizeOf(shape)) {
      throw new IllegalStateException("affine value: bias " + bias.length + " for shape " + Arrays.toString(shape));
    }
  }

  /** A copy: callers may modify it. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  public static Affine constant(Tensor t) {
    return new Affine(t.shape(), Map.of(), t.data(), t.integer());
  }

  public static Affine constant(int[] shape, double[] values) {
    return new Affine(shape, Map.of(), values, false);
  }

  public int size() {
    return bias.length;
  }

  public int rank() {
    return shape.length;
  }

  public boolean isConstant() {
    return terms.isEmpty();
  }

  public Tensor asTensor() {
    return new Tensor(shape.clone(), bias.clone(), integer);
  }

  /** The same values under another shape of the same size (Reshape, Flatten, Squeeze…). */
  public Affine reshape(int[] newShape) {
    if (Tensor.sizeOf(newShape) != size()) {
      throw new IllegalStateException("reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Affine(newShape, terms, bias, integer);
  }

  /** L · v: every term and the bias mapped through L. */
  public Affine map(LinearOperator l, int[] newShape) {
    Map<Integer, LinearOperator> t = new LinkedHashMap<>();
    terms.forEach((k, op) -> t.put(k, Ops.compose(l, op)));
    return new Affine(newShape, t, isZero(bias) ? new double[l.rows()] : l.apply(bias), integer);
  }

  /**
   * Whether v is all zeros, so that L·v needs no product: a layer after an activation has no bias,
   * and running its convolution at import (cold code, native buffers set up) cost more than the rest.
   */
  private static boolean isZero(double[] v) {
    for (double e : v) {
      if (e != 0) {
        return false;
      }
    }
    return true;
  }

  /** v + w, same shape. */
  public Affine plus(Affine w) {
    Map<Integer, LinearOperator> t = new LinkedHashMap<>(terms);
    w.terms.forEach((k, op) -> t.merge(k, op, Ops::add));
    double[] b = bias.clone();
    for (int i = 0; i < b.length; i++) {
      b[i] += w.bias[i];
    }
    return new Affine(shape, t, b, integer && w.integer);
  }

  /** diag(d) · v. */
  public Affine times(double[] d) {
    Map<Integer, LinearOperator> t = new LinkedHashMap<>();
    terms.forEach((k, op) -> t.put(k, op.scaled(d, null)));
    double[] b = bias.clone();
    for (int i = 0; i < b.length; i++) {
      b[i] *= d[i];
    }
    return new Affine(shape, t, b, integer);
  }

  /** −v. */
  public Affine negate() {
    double[] minusOne = new double[size()];
    java.util.Arrays.fill(minusOne, -1);
    return times(minusOne);
  }

  /** v − w, same shape. */
  public Affine minus(Affine w) {
    return plus(w.negate());
  }

  /** v + c. */
  public Affine plusConstant(double[] c) {
    double[] b = bias.clone();
    for (int i = 0; i < b.length; i++) {
      b[i] += c[i];
    }
    return new Affine(shape, terms, b, integer);
  }

  /** A single-term value that is exactly state k (identity operator, zero bias)? */
  public boolean isExactlyState(int k) {
    return terms.size() == 1 && terms.containsKey(k) && Ops.isIdentity(terms.get(k))
        && Arrays.stream(bias).allMatch(x -> x == 0);
  }
}
