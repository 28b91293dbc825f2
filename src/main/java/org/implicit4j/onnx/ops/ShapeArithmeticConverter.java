package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OnnxTensors;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * The shape arithmetic exporters emit around Flatten/Reshape, folded to constants at import time:
 * Shape, Gather (constant data only), Cast, ConstantOfShape. One method per op, each registered as
 * that op's converter.
 */
public final class ShapeArithmeticConverter {
  private ShapeArithmeticConverter() {}

  /** Shape: the input's dimensions in [start, end) (negative ends count from the back). */
  public static List<Affine> shape(OnnxNodeView n) {
    int[] s = n.input(0).shape();
    int r = s.length;
    int start = clampAxis(n.intOr("start", 0), r);
    int end = clampAxis(n.intOr("end", r), r);
    double[] d = new double[Math.max(0, end - start)];
    for (int i = 0; i < d.length; i++) {
      d[i] = s[start + i];
    }
    return List.of(Affine.constant(new Tensor(new int[] {d.length}, d, true)));
  }

  private static int clampAxis(long a, int rank) {
    return (int) Math.max(0, Math.min(rank, a < 0 ? a + rank : a));
  }

  /**
   * Gather with constant indices: out[o, idx…, i] = data[o, idx[…], i] along {@code axis}. On constant
   * data the values are gathered; on input-dependent data it is a selection, exact and affine.
   */
  public static List<Affine> gather(OnnxNodeView n) {
    Affine data = n.input(0);
    Tensor idx = n.constant(1, "indices");
    int axis = Shapes.axis(n.intOr("axis", 0), data.rank(), n);
    int[] ds = data.shape();
    int[] out = new int[ds.length - 1 + idx.shape().length];
    System.arraycopy(ds, 0, out, 0, axis);
    System.arraycopy(idx.shape(), 0, out, axis, idx.shape().length);
    System.arraycopy(ds, axis + 1, out, axis + idx.shape().length, ds.length - axis - 1);
    int[] picks = new int[idx.size()];
    for (int q = 0; q < picks.length; q++) {
      double id = idx.data()[q];
      int j = (int) id < 0 ? (int) id + ds[axis] : (int) id;
      if (j < 0 || j >= ds[axis]) {
        throw n.error("index " + (long) id + " out of range for axis of size " + ds[axis]);
      }
      picks[q] = j;
    }
    int[] src = Shapes.alongAxis(ds, axis, picks);
    if (!data.isConstant()) {
      return List.of(data.map(CsrMatrix.selection(src, data.size()), out));
    }
    double[] v = new double[src.length];
    for (int q = 0; q < v.length; q++) {
      v[q] = data.bias()[src[q]];
    }
    return List.of(new Affine(out, Map.of(), v, data.integer()));
  }

  /** Cast: identity on floats; constants are rounded as the target type would hold them. */
  public static List<Affine> cast(OnnxNodeView n) {
    Affine x = n.input(0);
    int to = (int) n.intOr("to", 1);
    boolean toInt = switch (to) {
      case 1, 10, 11, 16 -> false;
      case 2, 3, 4, 5, 6, 7, 9, 12, 13 -> true;
      default -> throw n.unsupported("Cast to element type " + to);
    };
    if (!x.isConstant()) {
      if (toInt) {
        throw n.unsupported("Cast of an input-dependent tensor to an integer type");
      }
      return List.of(x);
    }
    double[] b = x.bias().clone();
    for (int i = 0; i < b.length; i++) {
      b[i] = to == 9 ? (b[i] != 0 ? 1 : 0) : toInt ? (double) (long) b[i] : to == 1 ? (float) b[i] : b[i];
    }
    return List.of(new Affine(x.shape(), Map.of(), b, toInt));
  }

  /** ConstantOfShape: a constant tensor of the given shape filled with {@code value} (default 0). */
  public static List<Affine> constantOfShape(OnnxNodeView n) {
    long[] shape = n.constant(0, "shape").longs();
    Tensor value = n.tensorAttr("value");
    int[] s = new int[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(shape[i]);
    }
    double[] v = new double[Tensor.sizeOf(s)];
    Arrays.fill(v, value == null ? 0 : value.data()[0]);
    return List.of(new Affine(s, Map.of(), v, value != null && value.integer()));
  }

  /** Expand: the input broadcast (both ways, numpy rules) with a constant shape; a selection. */
  public static List<Affine> expand(OnnxNodeView n) {
    Affine x = n.input(0);
    long[] given = n.constant(1, "shape").longs();
    int[] s = new int[given.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(given[i]);
    }
    int[] out = Shapes.broadcast(x.shape(), s);
    if (out == null) {
      throw n.error("shape " + Shapes.str(x.shape()) + " does not expand to " + Arrays.toString(given));
    }
    return List.of(Shapes.expand(x, out));
  }

  /** A relation between two numbers (the comparisons and logical ops, on 0/1 for booleans). */
  @FunctionalInterface
  public interface Relation {
    boolean test(double a, double b);
  }

  /**
   * Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor of two constants (shape
   * arithmetic and masks), as 0/1; a comparison of input-dependent values is a step, refused as such.
   */
  public static OpConverter relation(Relation r) {
    return n -> List.of(elementwise(n, (a, b) -> r.test(a, b) ? 1 : 0, true));
  }

  /** op applied elementwise to two broadcast constants. */
  private static Affine elementwise(OnnxNodeView n, java.util.function.DoubleBinaryOperator op, boolean integer) {
    Tensor a = n.constant(0, "A");
    Tensor b = n.constant(1, "B");
    int[] out = Shapes.broadcast(a.shape(), b.shape());
    if (out == null) {
      throw n.error("shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " do not broadcast");
    }
    double[] x = Shapes.expand(a.data(), a.shape(), out);
    double[] y = Shapes.expand(b.data(), b.shape(), out);
    double[] r = new double[x.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = op.applyAsDouble(x[i], y[i]);
    }
    return new Affine(out, Map.of(), r, integer);
  }

  /** Not of a constant boolean tensor. */
  public static List<Affine> not(OnnxNodeView n) {
    Tensor a = n.constant(0, "X");
    double[] r = a.data().clone();
    for (int i = 0; i < r.length; i++) {
      r[i] = r[i] != 0 ? 0 : 1;
    }
    return List.of(new Affine(a.shape(), Map.of(), r, true));
  }

  /** Size: the number of elements, a constant. */
  public static List<Affine> size(OnnxNodeView n) {
    return List.of(new Affine(new int[0], Map.of(), new double[] {n.input(0).size()}, true));
  }

  /** Where with a constant condition: x ⊙ c + y ⊙ (1 − c), exact and affine in x and y. */
  public static List<Affine> where(OnnxNodeView n) {
    Tensor c = n.constant(0, "condition");
    Affine x = n.input(1);
    Affine y = n.input(2);
    int[] cx = Shapes.broadcast(c.shape(), x.shape());
    int[] out = cx == null ? null : Shapes.broadcast(cx, y.shape());
    if (out == null) {
      throw n.error("condition, X and Y shapes " + Shapes.str(c.shape()) + ", " + Shapes.str(x.shape()) + ", "
          + Shapes.str(y.shape()) + " do not broadcast");
    }
    double[] keep = Shapes.expand(c.data(), c.shape(), out);
    double[] other = new double[keep.length];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = keep[i] != 0 ? 1 : 0;
      other[i] = 1 - keep[i];
    }
    Affine r = Shapes.expand(x, out).times(keep).plus(Shapes.expand(y, out).times(other));
    return List.of(new Affine(out, r.terms(), r.bias(), x.integer() && y.integer()));
  }

  /**
   * A function of constants only (Sin, Cos, Floor, Ceil, Round, Sign): folded at import, integers
   * kept integer where the function keeps them. On an input-dependent tensor these are steps or
   * periodic, which an implicit model does not hold: refused by name.
   */
  public static OpConverter constantOnly(java.util.function.DoubleUnaryOperator f, boolean keepsIntegers) {
    return n -> {
      Affine x = n.input(0);
      if (!x.isConstant()) {
        throw n.unsupported(n.op() + " of a tensor that depends on the model input (a step or periodic function)");
      }
      double[] v = x.bias().clone();
      for (int i = 0; i < v.length; i++) {
        v[i] = f.applyAsDouble(v[i]);
      }
      return List.of(new Affine(x.shape(), Map.of(), v, keepsIntegers && x.integer()));
    };
  }

  /** Mod of two constants: the sign of the divisor (fmod=0, integers) or of the dividend (fmod=1, C fmod). */
  public static List<Affine> mod(OnnxNodeView n) {
    boolean fmod = n.intOr("fmod", 0) != 0;
    return List.of(elementwise(n, (a, b) -> fmod ? a % b : a - Math.floor(a / b) * b,
        n.input(0).integer() && n.input(1).integer()));
  }

  /** Range(start, limit, delta) of constants: ⌈(limit − start)/delta⌉ values start + i·delta. */
  public static List<Affine> range(OnnxNodeView n) {
    Tensor start = n.constant(0, "start");
    Tensor limit = n.constant(1, "limit");
    Tensor delta = n.constant(2, "delta");
    double s0 = start.data()[0];
    double d = delta.data()[0];
    long count = Math.max(0, (long) Math.ceil((limit.data()[0] - s0) / d));
    if (d == 0 || count > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw n.error("Range(" + s0 + ", " + limit.data()[0] + ", " + d + ") makes " + (d == 0 ? "no" : count)
          + " values; too many or a zero step");
    }
    double[] v = new double[(int) count];
    for (int i = 0; i < v.length; i++) {
      v[i] = s0 + i * d;
    }
    return List.of(new Affine(new int[] {v.length}, Map.of(), v, start.integer() && delta.integer()));
  }
}
