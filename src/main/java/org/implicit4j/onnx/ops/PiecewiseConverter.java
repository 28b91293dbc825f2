package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;

/**
 * Ops that are exact combinations of ReLU pieces, exponentials and products: Neg, Abs, Sum, Mean,
 * Max, Min, Elu, Selu, Celu, Softsign, Mish. |x| = relu(x) + relu(−x) and max(a, b) = b + relu(a − b)
 * hold exactly, so these stay piecewise linear where the op is; one method per op, each registered
 * as that op's converter.
 */
public final class PiecewiseConverter {
  private PiecewiseConverter() {}

  /** Neg: −x, affine. */
  public static List<Affine> neg(OnnxNodeView n) {
    Affine x = n.input(0);
    return List.of(x.negate());
  }

  /** relu(v) and relu(−v), one state block of twice v's size. */
  private static Affine[] halves(OnnxNodeView n, Affine v, String name) {
    return reluPair(n, v, v.negate(), name);
  }

  /** relu(a) and relu(b) for values of one shape, held by one state block. */
  private static Affine[] reluPair(OnnxNodeView n, Affine a, Affine b, String name) {
    int q = a.size();
    int[] flat = {q};
    Affine both = ConcatConverter.concat(List.of(a.reshape(flat), b.reshape(flat)), 0, new int[] {2 * q});
    Affine r = ActivationConverter.apply(n, both, Activation.RELU, name);
    return new Affine[] {SplitConverter.part(r, 0, 0, q).reshape(a.shape()),
        SplitConverter.part(r, 0, q, q).reshape(a.shape())};
  }

  /** |v| = relu(v) + relu(−v) as a one-element list (a state block of twice v's size). */
  static List<Affine> absValue(OnnxNodeView n, Affine v, String name) {
    Affine[] h = halves(n, v, name);
    return List.of(h[0].plus(h[1]));
  }

  /** Abs: relu(x) + relu(−x); on a constant, its absolute values (integers stay integer). */
  public static List<Affine> abs(OnnxNodeView n) {
    Affine x = n.input(0);
    if (x.isConstant()) {
      double[] v = x.bias().clone();
      for (int k = 0; k < v.length; k++) {
        v[k] = Math.abs(v[k]);
      }
      return List.of(new Affine(x.shape(), java.util.Map.of(), v, x.integer()));
    }
    return absValue(n, x, n.outputName(0) + "/relu±");
  }

  /** Sum and Mean of any number of inputs, broadcasting: affine. */
  public static List<Affine> sum(OnnxNodeView n) {
    return List.of(total(n));
  }

  public static List<Affine> mean(OnnxNodeView n) {
    Affine s = total(n);
    return List.of(s.times(Nonlinear.filled(s.size(), 1.0 / n.inputCount())));
  }

  private static Affine total(OnnxNodeView n) {
    Affine acc = n.input(0);
    for (int i = 1; i < n.inputCount(); i++) {
      Affine b = n.input(i);
      int[] out = broadcast(n, acc, b);
      acc = Shapes.expand(acc, out).plus(Shapes.expand(b, out));
    }
    return acc;
  }

  private static int[] broadcast(OnnxNodeView n, Affine a, Affine b) {
    int[] out = Shapes.broadcast(a.shape(), b.shape());
    if (out == null) {
      throw n.error("shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " do not broadcast");
    }
    return out;
  }

  /** Max of any number of inputs: max(a, b) = b + relu(a − b), folded left to right. */
  public static List<Affine> max(OnnxNodeView n) {
    return List.of(fold(n, true));
  }

  /** Min: min(a, b) = a − relu(a − b). */
  public static List<Affine> min(OnnxNodeView n) {
    return List.of(fold(n, false));
  }

  private static Affine fold(OnnxNodeView n, boolean max) {
    Affine acc = n.input(0);
    for (int i = 1; i < n.inputCount(); i++) {
      Affine b = n.input(i);
      int[] out = broadcast(n, acc, b);
      Affine a = Shapes.expand(acc, out);
      Affine c = Shapes.expand(b, out);
      if (a.isConstant() && c.isConstant()) {
        acc = extreme(a, c, max); // shape arithmetic: keeps integers integer
        continue;
      }
      Affine diff = a.minus(c);
      Affine r = ActivationConverter.apply(n, diff, Activation.RELU, n.outputName(0) + "/" + (max ? "max" : "min") + i);
      acc = max ? c.plus(r) : a.minus(r);
    }
    return acc;
  }

  private static Affine extreme(Affine a, Affine c, boolean max) {
    double[] v = a.bias().clone();
    for (int k = 0; k < v.length; k++) {
      v[k] = max ? Math.max(v[k], c.bias()[k]) : Math.min(v[k], c.bias()[k]);
    }
    return new Affine(a.shape(), java.util.Map.of(), v, a.integer() && c.integer());
  }

  /** Elu: relu(x) + α(e^{−relu(−x)} − 1), exact on both sides of 0. */
  public static List<Affine> elu(OnnxNodeView n) {
    return List.of(exponentialLinear(n, n.floatOr("alpha", 1.0), 1.0));
  }

  /** Selu: γ·Elu with ONNX's default α and γ. */
  public static List<Affine> selu(OnnxNodeView n) {
    double gamma = n.floatOr("gamma", 1.0507010221481323f);
    Affine e = exponentialLinear(n, n.floatOr("alpha", 1.6732631921768188f), 1.0);
    return List.of(e.times(Nonlinear.filled(e.size(), gamma)));
  }

  /** Celu: max(0, x) + min(0, α(e^{x/α} − 1)) = relu(x) + α(e^{−relu(−x)/α} − 1). */
  public static List<Affine> celu(OnnxNodeView n) {
    double alpha = n.floatOr("alpha", 1.0);
    return List.of(exponentialLinear(n, alpha, 1 / alpha));
  }

  /** relu(x) + α(exp(−s·relu(−x)) − 1). */
  private static Affine exponentialLinear(OnnxNodeView n, double alpha, double s) {
    Affine x = n.input(0);
    Affine[] h = halves(n, x, n.outputName(0) + "/relu±");
    Affine e = ActivationConverter.apply(n, h[1].times(Nonlinear.filled(x.size(), -s)), Activation.EXP,
        n.outputName(0) + "/exp");
    return h[0].plus(e.times(Nonlinear.filled(x.size(), alpha))).plusConstant(Nonlinear.filled(x.size(), -alpha));
  }

  /**
   * Shrink with bias = lambd (soft shrinkage): relu(x − λ) − relu(−x − λ), exact. Other biases make
   * the op jump at ±λ, which no continuous model reproduces: refused.
   */
  public static List<Affine> shrink(OnnxNodeView n) {
    double lambd = n.floatOr("lambd", 0.5f);
    double bias = n.floatOr("bias", 0f);
    if (bias != lambd) {
      throw n.unsupported("Shrink with bias " + bias + " \u2260 lambd " + lambd + " (a jump at \u00b1lambd)");
    }
    return List.of(shrunk(n, n.input(0), lambd));
  }

  private static Affine shrunk(OnnxNodeView n, Affine x, double lambd) {
    int q = x.size();
    Affine[] r = reluPair(n, x.plusConstant(Nonlinear.filled(q, -lambd)),
        x.negate().plusConstant(Nonlinear.filled(q, -lambd)), n.outputName(0) + "/relu±");
    return r[0].minus(r[1]);
  }

  /** Softsign: x / (1 + |x|), one product with the reciprocal. */
  public static List<Affine> softsign(OnnxNodeView n) {
    Affine x = n.input(0);
    Affine[] h = halves(n, x, n.outputName(0) + "/relu±");
    Affine denominator = h[0].plus(h[1]).plusConstant(Nonlinear.filled(x.size(), 1));
    return List.of(Nonlinear.product(n, x, Activation.IDENTITY, denominator, Activation.RECIPROCAL, n.outputName(0)));
  }

  /** Mish: x·tanh(softplus(x)), a softplus state and one product. */
  public static List<Affine> mish(OnnxNodeView n) {
    Affine x = n.input(0);
    Affine sp = ActivationConverter.apply(n, x, Activation.SOFTPLUS, n.outputName(0) + "/softplus");
    return List.of(Nonlinear.product(n, x, Activation.IDENTITY, sp, Activation.TANH, n.outputName(0)));
  }
}
