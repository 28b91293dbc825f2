package org.implicit4j.onnx;

import org.implicit4j.linalg.CsrMatrix;
import java.util.Arrays;

/** Index arithmetic over C-order tensors: strides, numpy broadcasting, axis normalisation. */
public final class Shapes {
  private Shapes() {}

  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Multidirectional (numpy) broadcast of two shapes, or null when they do not broadcast. */
  public static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        return null;
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** For each element of {@code to}, the C-order index of the element of {@code from} it broadcasts from. */
  public static int[] broadcastSource(int[] from, int[] to) {
    int n = Tensor.sizeOf(to);
    int[] src = new int[n];
    int[] fs = strides(from);
    int off = to.length - from.length;
    int[] idx = new int[to.length];
    for (int k = 0; k < n; k++) {
      int s = 0;
      for (int d = 0; d < from.length; d++) {
        if (from[d] != 1) {
          s += idx[d + off] * fs[d];
        }
      }
      src[k] = s;
      for (int d = to.length - 1; d >= 0; d--) {
        if (++idx[d] < to[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return src;
  }

  /** Values of a constant broadcast to {@code to}. */
  public static double[] expand(double[] data, int[] from, int[] to) {
    if (Arrays.equals(from, to)) {
      return data;
    }
    int[] src = broadcastSource(from, to);
    double[] r = new double[src.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = data[src[i]];
    }
    return r;
  }

  /** A value broadcast to a larger shape (identity when shapes agree). */
  public static Affine expand(Affine v, int[] to) {
    if (Arrays.equals(v.shape(), to)) {
      return v;
    }
    return v.map(CsrMatrix.selection(broadcastSource(v.shape(), to), v.size()), to);
  }

  /**
   * The C-order source index of each element of x taken at positions {@code picks} along
   * {@code axis} (Gather, Split, slices of one axis): the other axes kept, the picks in order.
   */
  public static int[] alongAxis(int[] shape, int axis, int[] picks) {
    int outer = Tensor.sizeOf(Arrays.copyOfRange(shape, 0, axis));
    int inner = Tensor.sizeOf(Arrays.copyOfRange(shape, axis + 1, shape.length));
    int[] src = new int[outer * picks.length * inner];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (int j : picks) {
        for (int i = 0; i < inner; i++) {
          src[k++] = (o * shape[axis] + j) * inner + i;
        }
      }
    }
    return src;
  }

  /** Axis in [−rank, rank) to [0, rank). */
  public static int axis(long axis, int rank, OnnxNodeView n) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw n.error("axis " + axis + " out of range for rank " + rank);
    }
    return (int) a;
  }

  /** Dimensions of a value, as a readable string. */
  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }
}
