package org.implicit4j.model;

import java.util.List;
import java.util.Locale;

/**
 * A scalar activation φ applied componentwise to one block of states. Each knows its value, its
 * derivative, whether it is componentwise non-expansive (|φ(a) − φ(b)| ≤ |a − b|, needed for the
 * λpf(|A|) &lt; 1 well-posedness test) and whether it is positively homogeneous (φ(ta) = tφ(a) for
 * t &gt; 0, needed for diagonal rescaling).
 */
public sealed interface Activation {
  double apply(double z);

  /** dφ/dz; at a kink the right derivative. */
  double derivative(double z);

  boolean nonExpansive();

  boolean positivelyHomogeneous();

  /** Canonical text form, parsed back by {@link #parse}: relu, leaky_relu(0.1), identity, tanh, sigmoid. */
  String spec();

  /**
   * One method per kind: how consumers (the ONNX exporter) handle every activation. A new kind
   * adds a method here, so they stop compiling until they handle it.
   */
  interface Visitor<R> {
    R relu(Relu a);

    R leakyRelu(LeakyRelu a);

    R identity(Identity a);

    R tanh(Tanh a);

    R sigmoid(Sigmoid a);

    R gatedProduct(GatedProduct a);
  }

  /** Calls the visitor's method for this activation's kind. */
  <R> R accept(Visitor<R> v);

  /** Applies φ in place to {@code len} entries of {@code v} starting at {@code off}. */
  default void applyInPlace(double[] v, int off, int len) {
    for (int i = off; i < off + len; i++) {
      v[i] = apply(v[i]);
    }
  }

  /** φ(z) = max(z, 0). */
  record Relu() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.relu(this); }
    @Override public double apply(double z) { return Math.max(z, 0.0); }
    @Override public double derivative(double z) { return z >= 0 ? 1 : 0; }
    @Override public boolean nonExpansive() { return true; }
    @Override public boolean positivelyHomogeneous() { return true; }
    @Override public String spec() { return "relu"; }
    @Override public void applyInPlace(double[] v, int off, int len) {
      // Branch-free so that the JIT vectorises it; NaN stays NaN, −0 becomes +0.
      for (int i = off; i < off + len; i++) {
        v[i] = Math.max(v[i], 0.0);
      }
    }
  }

  /** φ(z) = z for z ≥ 0, αz otherwise. */
  record LeakyRelu(double alpha) implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.leakyRelu(this); }
    @Override public double apply(double z) { return z >= 0 ? z : alpha * z; }
    @Override public double derivative(double z) { return z >= 0 ? 1 : alpha; }
    @Override public boolean nonExpansive() { return Math.abs(alpha) <= 1; }
    @Override public boolean positivelyHomogeneous() { return true; }
    @Override public String spec() { return "leaky_relu(" + alpha + ")"; }
  }

  /** φ(z) = z. */
  record Identity() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.identity(this); }
    @Override public double apply(double z) { return z; }
    @Override public double derivative(double z) { return 1; }
    @Override public boolean nonExpansive() { return true; }
    @Override public boolean positivelyHomogeneous() { return true; }
    @Override public String spec() { return "identity"; }
    @Override public void applyInPlace(double[] v, int off, int len) {}
  }

  /** φ(z) = tanh z. */
  record Tanh() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.tanh(this); }
    @Override public double apply(double z) { return Math.tanh(z); }
    @Override public double derivative(double z) { double t = Math.tanh(z); return 1 - t * t; }
    @Override public boolean nonExpansive() { return true; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "tanh"; }
  }

  /** φ(z) = 1 / (1 + e^{−z}). */
  record Sigmoid() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.sigmoid(this); }
    @Override public double apply(double z) {
      // Two branches keep exp from overflowing for large |z|.
      if (z >= 0) {
        return 1 / (1 + Math.exp(-z));
      }
      double e = Math.exp(z);
      return e / (1 + e);
    }
    @Override public double derivative(double z) { double s = apply(z); return s * (1 - s); }
    @Override public boolean nonExpansive() { return true; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "sigmoid"; }
  }

  /**
   * Not componentwise: a block of 2q states whose preactivation is (a, b) computes
   * x = (φa(a) ⊙ φb(b), 0): the first half holds the products, the second half is unused (zero).
   * This is how the multiplicative composition forms ŷ₁ ⊙ ŷ₂-type gates exactly. Only
   * {@link #applyInPlace} over the whole block is meaningful.
   */
  record GatedProduct(Activation a, Activation b) implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.gatedProduct(this); }
    public GatedProduct {
      if (a instanceof GatedProduct || b instanceof GatedProduct) {
        throw new IllegalArgumentException("gated products do not nest");
      }
    }
    @Override public double apply(double z) {
      throw new UnsupportedOperationException("gated_product acts on a whole block, not one value");
    }
    @Override public double derivative(double z) {
      throw new UnsupportedOperationException("gated_product acts on a whole block, not one value");
    }
    /** Lipschitz but not non-expansive in general: the well-posedness test does not cover it. */
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "gated_product(" + a.spec() + "," + b.spec() + ")"; }
    @Override public void applyInPlace(double[] v, int off, int len) {
      if (len % 2 != 0) {
        throw new IllegalStateException("gated_product block of odd size " + len);
      }
      int h = len / 2;
      for (int i = 0; i < h; i++) {
        v[off + i] = a.apply(v[off + i]) * b.apply(v[off + h + i]);
        v[off + h + i] = 0.0;
      }
    }
  }

  Activation RELU = new Relu();
  Activation IDENTITY = new Identity();
  Activation TANH = new Tanh();
  Activation SIGMOID = new Sigmoid();

  static Activation leakyRelu(double alpha) {
    return new LeakyRelu(alpha);
  }

  /** Names accepted by {@link #parse}. */
  List<String> NAMES = List.of("relu", "leaky_relu(alpha)", "identity", "tanh", "sigmoid", "gated_product(a,b)");

  /** Parses a {@link #spec()} string; unknown names throw with the list of valid ones. */
  static Activation parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "relu": return RELU;
      case "identity": return IDENTITY;
      case "tanh": return TANH;
      case "sigmoid": return SIGMOID;
      case "leaky_relu": return leakyRelu(0.01); // ONNX's default slope
      default:
        if (s.startsWith("gated_product(") && s.endsWith(")")) {
          String[] parts = s.substring(14, s.length() - 1).split(",", 2);
          if (parts.length != 2) {
            throw new IllegalArgumentException("activation '" + spec + "': expected gated_product(a,b)");
          }
          return new GatedProduct(parse(parts[0]), parse(parts[1]));
        }
        if (s.startsWith("leaky_relu(") && s.endsWith(")")) {
          try {
            return leakyRelu(Double.parseDouble(s.substring(11, s.length() - 1)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("activation '" + spec + "': alpha is not a number");
          }
        }
        throw new IllegalArgumentException("unknown activation '" + spec + "'; expected one of " + NAMES);
    }
  }
}
