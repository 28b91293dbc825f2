package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * The nonlinear building blocks the gated, recurrent and attention ops lower to (docs/MATHS.md §7):
 * componentwise activations, products φa(a) ⊙ φb(b) of two affine values held by one
 * {@link Activation.GatedProduct} state block, and sums over axes. Each product is exact; a value
 * that is constant folds instead of creating a state.
 */
final class Nonlinear {
  private Nonlinear() {}

  /**
   * φa(a) ⊙ φb(b) for values of the same shape. With both non-constant this is one state block of
   * 2q states whose preactivation stacks (a, b); the first half holds the products.
   */
  static Affine product(OnnxNodeView n, Affine a, Activation fa, Affine b, Activation fb, String name) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalStateException("product of shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
    }
    if (b.isConstant()) {
      return scaled(n, a, fa, constantOf(b, fb), name);
    }
    if (a.isConstant()) {
      return scaled(n, b, fb, constantOf(a, fa), name);
    }
    int q = a.size();
    Affine pre = ConcatConverter.concat(List.of(a.reshape(new int[] {q}), b.reshape(new int[] {q})), 0,
        new int[] {2 * q});
    Affine block = n.context().newState(name, pre, new Activation.GatedProduct(fa, fb), null);
    int[] first = new int[q];
    Arrays.setAll(first, i -> i);
    return block.map(CsrMatrix.selection(first, 2 * q), a.shape());
  }

  /** φ(v) ⊙ c for a constant c: no state when c is zero, none either when φ is the identity. */
  private static Affine scaled(OnnxNodeView n, Affine v, Activation phi, double[] c, String name) {
    if (Arrays.stream(c).allMatch(x -> x == 0)) {
      return Affine.constant(v.shape(), new double[v.size()]);
    }
    return ActivationConverter.apply(n, v, phi, name).times(c);
  }

  private static double[] constantOf(Affine v, Activation phi) {
    double[] c = v.bias().clone();
    for (int i = 0; i < c.length; i++) {
      c[i] = phi.apply(c[i]);
    }
    return c;
  }

  /** a ⊙ b with numpy broadcasting. */
  static Affine multiply(OnnxNodeView n, Affine a, Activation fa, Affine b, Activation fb, String name) {
    int[] out = Shapes.broadcast(a.shape(), b.shape());
    if (out == null) {
      throw n.error("shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " do not broadcast");
    }
    return product(n, Shapes.expand(a, out), fa, Shapes.expand(b, out), fb, name);
  }

  /**
   * Σ (or the mean) over {@code axes} of v, the reduced axes kept as 1. An exact linear map: each
   * output sums its inputs with weight 1 (or 1/count).
   */
  static Affine reduce(Affine v, int[] axes, boolean mean) {
    int[] shape = v.shape();
    int[] kept = shape.clone();
    for (int a : axes) {
      kept[a] = 1;
    }
    int count = v.size() / Math.max(1, Tensor.sizeOf(kept));
    int[] target = Shapes.broadcastSource(kept, shape); // input element → its output element
    int[] cols = new int[target.length];
    Arrays.setAll(cols, j -> j);
    double[] weights = filled(target.length, mean ? 1.0 / count : 1.0);
    CsrMatrix sum = CsrMatrix.fromTriples(Tensor.sizeOf(kept), target.length, target, cols, weights, target.length);
    return v.map(sum, kept);
  }

  /**
   * max (or min) of equally shaped values, as a balanced tree: each level's differences a − b form
   * one ReLU state block of shape [pairs, size], and each pair becomes b + relu(a − b) (or
   * a − relu(a − b)); an odd last value passes through. Exact. MaxPool, ReduceMax and ReduceMin.
   */
  static Affine extremeTree(OnnxNodeView n, List<Affine> values, boolean max, String name) {
    List<Affine> level = new ArrayList<>(values);
    for (int depth = 1; level.size() > 1; depth++) {
      int pairs = level.size() / 2;
      int q = level.get(0).size();
      List<Affine> diffs = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        Affine b = level.get(2 * i + 1);
        diffs.add(level.get(2 * i).minus(b));
      }
      Affine r = ActivationConverter.apply(n, ConcatConverter.stack(diffs, new int[] {pairs, q}), Activation.RELU,
          name + "#" + (max ? "max" : "min") + depth);
      List<Affine> next = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        Affine ri = SplitConverter.part(r, 0, i, 1).reshape(level.get(0).shape());
        next.add(max ? level.get(2 * i + 1).plus(ri) : level.get(2 * i).minus(ri));
      }
      if (level.size() % 2 == 1) {
        next.add(level.get(level.size() - 1));
      }
      level = next;
    }
    return level.get(0);
  }

  /** The product of equally shaped values, as a balanced tree of product states. */
  static Affine productTree(OnnxNodeView n, List<Affine> values, String name) {
    List<Affine> level = new ArrayList<>(values);
    for (int depth = 1; level.size() > 1; depth++) {
      List<Affine> next = new ArrayList<>();
      for (int i = 0; i + 1 < level.size(); i += 2) {
        next.add(product(n, level.get(i), Activation.IDENTITY, level.get(i + 1), Activation.IDENTITY,
            name + "#prod" + depth + "." + i / 2));
      }
      if (level.size() % 2 == 1) {
        next.add(level.get(level.size() - 1));
      }
      level = next;
    }
    return level.get(0);
  }

  /** The axes [from, rank). */
  static int[] tail(int from, int rank) {
    int[] axes = new int[rank - from];
    Arrays.setAll(axes, i -> from + i);
    return axes;
  }

  /** v − mean over one axis, broadcast back: softmax and layer norm are invariant to the shift. */
  static Affine centred(Affine v, int[] axes) {
    Affine mean = Shapes.expand(reduce(v, axes, true), v.shape());
    return v.minus(mean);
  }

  /**
   * softmax(v) = e^z ⊙ 1/Σe^z over {@code axes}, with z = v − mean(v) (the same result; the shift
   * keeps e^z finite). LogSoftmax is z − ln Σe^z.
   */
  static Affine softmax(OnnxNodeView n, Affine v, int[] axes, boolean log, String name) {
    Affine z = centred(v, axes);
    Affine e = ActivationConverter.apply(n, z, Activation.EXP, name + "/exp");
    Affine sum = reduce(e, axes, false);
    if (log) {
      Affine lse = Shapes.expand(ActivationConverter.apply(n, sum, Activation.LOG, name + "/log_sum_exp"), v.shape());
      return z.minus(lse);
    }
    return product(n, e, Activation.IDENTITY, Shapes.expand(sum, v.shape()), Activation.RECIPROCAL, name);
  }

  /** A normalised value and the statistics it used, μ and σ² + ε, with the reduced axes kept as 1. */
  record Normalised(Affine y, Affine mean, Affine varianceEps) {}

  /**
   * (v − μ) / √(σ² + ε) over {@code axes}, σ² the mean of (v − μ)², the population variance as in
   * ONNX LayerNormalization; scale and bias are applied by the caller.
   */
  static Normalised normalise(OnnxNodeView n, Affine v, int[] axes, double epsilon, String name) {
    Affine mean = reduce(v, axes, true);
    Affine d = v.minus(Shapes.expand(mean, v.shape()));
    Affine sq = product(n, d, Activation.IDENTITY, d, Activation.IDENTITY, name + "/square");
    Affine var = reduce(sq, axes, true).plusConstant(filled(Tensor.sizeOf(keptShape(v, axes)), epsilon));
    Affine y = product(n, d, Activation.IDENTITY, Shapes.expand(var, v.shape()), Activation.RSQRT, name);
    return new Normalised(y, mean, var);
  }

  private static int[] keptShape(Affine v, int[] axes) {
    int[] s = v.shape();
    for (int a : axes) {
      s[a] = 1;
    }
    return s;
  }

  static double[] filled(int size, double value) {
    double[] d = new double[size];
    Arrays.fill(d, value);
    return d;
  }
}
