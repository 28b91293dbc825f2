package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * Ops that only change the shape of C-order values, so cost nothing: Flatten, Reshape, Squeeze,
 * Unsqueeze, Identity, Dropout (inference).
 */
public final class ReshapeConverter {
  private ReshapeConverter() {}

  /** Identity: the value itself. */
  public static List<Affine> identity(OnnxNodeView n) {
    return List.of(n.input(0));
  }

  /** Dropout in inference: the identity, and a mask of constant ones; training mode is refused. */
  public static List<Affine> dropout(OnnxNodeView n) {
    boolean training = n.hasInput(2) && n.constant(2, "training_mode").data()[0] != 0;
    if (training) {
      throw n.unsupported("Dropout with training_mode=true");
    }
    Affine x = n.input(0);
    double[] ones = new double[x.size()];
    java.util.Arrays.fill(ones, 1);
    return List.of(x, new Affine(x.shape(), java.util.Map.of(), ones, true));
  }

  /** Flatten: shape (d₀⋯d_{axis−1}, d_axis⋯d_{r−1}). */
  public static List<Affine> flatten(OnnxNodeView n) {
    Affine x = n.input(0);
    int[] s = x.shape();
    long a = n.intOr("axis", 1);
    int axis = a < 0 ? (int) (a + s.length) : (int) a;
    if (axis < 0 || axis > s.length) {
      throw n.error("axis " + a + " out of range for rank " + s.length);
    }
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= s[d];
    }
    return List.of(x.reshape(new int[] {outer, x.size() / Math.max(outer, 1)}));
  }

  /** Reshape to a constant target (0 copies, −1 infers). */
  public static List<Affine> reshape(OnnxNodeView n) {
    Affine x = n.input(0);
    return List.of(x.reshape(reshapeTarget(n, x.shape(), x.size())));
  }

  /** Squeeze: drop the given axes of size 1 (all of them when none are given). */
  public static List<Affine> squeeze(OnnxNodeView n) {
    Affine x = n.input(0);
    int[] s = x.shape();
    long[] axes = n.opset() < 13 ? n.ints("axes") : (n.hasInput(1) ? n.constant(1, "axes").longs() : null);
    boolean[] drop = new boolean[s.length];
    if (axes == null) {
      for (int d = 0; d < s.length; d++) {
        drop[d] = s[d] == 1;
      }
    } else {
      for (long a : axes) {
        int d = Shapes.axis(a, s.length, n);
        if (s[d] != 1) {
          throw n.error("cannot squeeze axis " + d + " of size " + s[d]);
        }
        drop[d] = true;
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int d = 0; d < s.length; d++) {
      if (!drop[d]) {
        out.add(s[d]);
      }
    }
    return List.of(x.reshape(out.stream().mapToInt(Integer::intValue).toArray()));
  }

  /** Unsqueeze: insert axes of size 1 at the given positions of the output. */
  public static List<Affine> unsqueeze(OnnxNodeView n) {
    Affine x = n.input(0);
    int[] s = x.shape();
    long[] axes = n.opset() < 13 ? n.ints("axes") : n.constant(1, "axes").longs();
    if (axes == null) {
      throw n.error("axes are required");
    }
    int r = s.length + axes.length;
    boolean[] ins = new boolean[r];
    for (long a : axes) {
      ins[Shapes.axis(a, r, n)] = true;
    }
    int[] out = new int[r];
    int k = 0;
    for (int d = 0; d < r; d++) {
      out[d] = ins[d] ? 1 : s[k++];
    }
    return List.of(x.reshape(out));
  }

  private static int[] reshapeTarget(OnnxNodeView n, int[] in, int size) {
    long[] t;
    if (n.opset() < 5) {
      t = n.ints("shape");
      if (t == null) {
        throw n.error("shape attribute missing");
      }
    } else {
      t = n.constant(1, "shape").longs();
    }
    boolean allowZero = n.intOr("allowzero", 0) != 0;
    int[] out = new int[t.length];
    int infer = -1;
    long known = 1;
    for (int i = 0; i < t.length; i++) {
      if (t[i] == -1) {
        if (infer >= 0) {
          throw n.error("more than one -1 in the target shape");
        }
        infer = i;
        continue;
      }
      if (t[i] == 0 && !allowZero) {
        if (i >= in.length) {
          throw n.error("0 at position " + i + " copies a dimension the input does not have");
        }
        out[i] = in[i];
      } else if (t[i] < 0) {
        throw n.error("negative dimension " + t[i] + " in the target shape");
      } else {
        out[i] = (int) t[i];
      }
      known *= out[i];
    }
    if (infer >= 0) {
      if (known == 0 || size % known != 0) {
        throw n.error("cannot infer -1: " + size + " values into " + java.util.Arrays.toString(t));
      }
      out[infer] = (int) (size / known);
    }
    if (Tensor.sizeOf(out) != size) {
      throw n.error("target shape " + java.util.Arrays.toString(t) + " holds " + Tensor.sizeOf(out)
          + " values, the input " + size);
    }
    return out;
  }
}
