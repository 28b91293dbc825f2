package org.implicit4j.model;

import java.util.List;
import java.util.Locale;
import org.implicit4j.linalg.Floats;

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

  /** Canonical text form, parsed back by {@link #parse}: relu, leaky_relu(0.1), identity, tanh, sigmoid, exp… */
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

    R exp(Exp a);

    R log(Log a);

    R reciprocal(Reciprocal a);

    R sqrt(Sqrt a);

    R rsqrt(Rsqrt a);

    R erf(Erf a);

    R softplus(Softplus a);

    R hardSigmoid(HardSigmoid a);
  }

  /** Calls the visitor's method for this activation's kind. */
  <R> R accept(Visitor<R> v);

  /** Applies φ in place to {@code len} entries of {@code v} starting at {@code off}. */
  default void applyInPlace(double[] v, int off, int len) {
    for (int i = off; i < off + len; i++) {
      v[i] = apply(v[i]);
    }
  }

  /**
   * φ in place on float32 states (the float32 solve): evaluated in double on the block and rounded
   * back, so every kind, blockwise ones included, means the same as on doubles.
   */
  default void applyInPlace(float[] v, int off, int len) {
    double[] d = Floats.widened(v, off, len);
    applyInPlace(d, 0, len);
    Floats.round(d, 0, v, off, len);
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
    @Override public void applyInPlace(float[] v, int off, int len) {
      for (int i = off; i < off + len; i++) {
        v[i] = Math.max(v[i], 0f);
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
    @Override public void applyInPlace(float[] v, int off, int len) {}
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

  /**
   * φ(z) = e^z. Softmax is e^z ⊙ 1/Σe^z: the importer shifts z by its mean first (the result is
   * unchanged), which keeps e^z finite for spreads up to about 700.
   */
  record Exp() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.exp(this); }
    @Override public double apply(double z) { return Math.exp(z); }
    @Override public double derivative(double z) { return Math.exp(z); }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "exp"; }
  }

  /** φ(z) = ln z on z &gt; 0 (NaN below, −∞ at 0, as ONNX Log); LogSoftmax needs it. */
  record Log() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.log(this); }
    @Override public double apply(double z) { return Math.log(z); }
    @Override public double derivative(double z) { return 1 / z; }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "log"; }
  }

  /** φ(z) = 1/z, meant for z &gt; 0 (a Softmax denominator, a LayerNorm scale, Div by a state). */
  record Reciprocal() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.reciprocal(this); }
    @Override public double apply(double z) { return 1 / z; }
    @Override public double derivative(double z) { return -1 / (z * z); }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "reciprocal"; }
  }

  /** φ(z) = √z on z ≥ 0 (NaN below, as ONNX Sqrt). */
  record Sqrt() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.sqrt(this); }
    @Override public double apply(double z) { return Math.sqrt(z); }
    @Override public double derivative(double z) { return 0.5 / Math.sqrt(z); }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "sqrt"; }
  }

  /** φ(z) = 1/√z on z &gt; 0: LayerNormalization's 1/√(var + ε). */
  record Rsqrt() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.rsqrt(this); }
    @Override public double apply(double z) { return 1 / Math.sqrt(z); }
    @Override public double derivative(double z) { return -0.5 / (z * Math.sqrt(z)); }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "rsqrt"; }
  }

  /**
   * φ(z) = erf z = (2/√π)∫₀^z e^{−t²}dt, to about one ulp (Apache Commons Numbers). Its slope at 0 is
   * 2/√π ≈ 1.128, so it is not non-expansive. The exact GELU is z·(1 + erf(z/√2))/2.
   */
  record Erf() implements Activation {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    @Override public <R> R accept(Visitor<R> v) { return v.erf(this); }
    @Override public double apply(double z) { return org.apache.commons.numbers.gamma.Erf.value(z); }
    @Override public double derivative(double z) { return TWO_OVER_SQRT_PI * Math.exp(-z * z); }
    @Override public boolean nonExpansive() { return false; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "erf"; }
  }

  /** φ(z) = ln(1 + e^z), slope σ(z) ∈ (0, 1): non-expansive. */
  record Softplus() implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.softplus(this); }
    @Override public double apply(double z) {
      // max(z, 0) + log1p(e^{−|z|}) neither overflows nor loses the small tail.
      return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }
    @Override public double derivative(double z) { return SIGMOID.apply(z); }
    @Override public boolean nonExpansive() { return true; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "softplus"; }
  }

  /**
   * φ(z) = max(0, min(1, αz + β)) (ONNX HardSigmoid; HardSwish is z·φ(z) with α = 1/6, β = 1/2).
   * Piecewise linear, computed exactly; non-expansive when |α| ≤ 1.
   */
  record HardSigmoid(double alpha, double beta) implements Activation {
    @Override public <R> R accept(Visitor<R> v) { return v.hardSigmoid(this); }
    @Override public double apply(double z) { return Math.max(0, Math.min(1, alpha * z + beta)); }
    @Override public double derivative(double z) {
      double t = alpha * z + beta;
      return t >= 0 && t < 1 ? alpha : 0;
    }
    @Override public boolean nonExpansive() { return Math.abs(alpha) <= 1; }
    @Override public boolean positivelyHomogeneous() { return false; }
    @Override public String spec() { return "hard_sigmoid(" + alpha + "," + beta + ")"; }
  }

  Activation RELU = new Relu();
  Activation IDENTITY = new Identity();
  Activation TANH = new Tanh();
  Activation SIGMOID = new Sigmoid();
  Activation EXP = new Exp();
  Activation LOG = new Log();
  Activation RECIPROCAL = new Reciprocal();
  Activation SQRT = new Sqrt();
  Activation RSQRT = new Rsqrt();
  Activation ERF = new Erf();
  Activation SOFTPLUS = new Softplus();

  static Activation leakyRelu(double alpha) {
    return new LeakyRelu(alpha);
  }

  /** Names accepted by {@link #parse}. */
  List<String> NAMES = List.of("relu", "leaky_relu(alpha)", "identity", "tanh", "sigmoid", "exp", "log", "reciprocal",
      "sqrt", "rsqrt", "erf", "softplus", "hard_sigmoid(alpha,beta)", "gated_product(a,b)");

  /** Parses a {@link #spec()} string; unknown names throw with the list of valid ones. */
  static Activation parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "relu": return RELU;
      case "identity": return IDENTITY;
      case "tanh": return TANH;
      case "sigmoid": return SIGMOID;
      case "leaky_relu": return leakyRelu(0.01); // ONNX's default slope
      case "exp": return EXP;
      case "log": return LOG;
      case "reciprocal": return RECIPROCAL;
      case "sqrt": return SQRT;
      case "rsqrt": return RSQRT;
      case "erf": return ERF;
      case "softplus": return SOFTPLUS;
      default:
        if (s.startsWith("gated_product(") && s.endsWith(")")) {
          String[] parts = s.substring(14, s.length() - 1).split(",", 2);
          if (parts.length != 2) {
            throw new IllegalArgumentException("activation '" + spec + "': expected gated_product(a,b)");
          }
          return new GatedProduct(parse(parts[0]), parse(parts[1]));
        }
        if (s.startsWith("hard_sigmoid(") && s.endsWith(")")) {
          return hardSigmoid(spec, s.substring(13, s.length() - 1));
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

  private static Activation hardSigmoid(String spec, String args) {
    String[] parts = args.split(",", -1);
    try {
      if (parts.length == 2) {
        return new HardSigmoid(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
      }
    } catch (NumberFormatException e) {
      // fall through to the refusal below
    }
    throw new IllegalArgumentException("activation '" + spec + "': expected hard_sigmoid(alpha,beta) with two numbers");
  }
}
