package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * Ops that only move or accumulate values, each an exact linear map: Tile and DepthToSpace /
 * SpaceToDepth (selections), CumSum (a triangular 0/1 map along one axis). One method per op.
 */
public final class LayoutConverter {
  private LayoutConverter() {}

  /** Tile: out[i] = in[i mod shape] per axis, with constant repeats. */
  public static List<Affine> tile(OnnxNodeView n) {
    Affine x = n.input(0);
    long[] reps = n.constant(1, "repeats").longs();
    int[] in = x.shape();
    if (reps.length != in.length) {
      throw n.error("repeats has " + reps.length + " values for a rank-" + in.length + " input");
    }
    int[] out = new int[in.length];
    long total = 1;
    for (int d = 0; d < in.length; d++) {
      if (reps[d] < 0) {
        throw n.error("repeats " + Arrays.toString(reps) + " holds a negative count");
      }
      total *= Math.max(1, in[d] * reps[d]);
      if (total > org.implicit4j.onnx.OnnxTensors.MAX_ACTIVATION_VALUES) {
        throw n.error("tiling " + Shapes.str(in) + " by " + Arrays.toString(reps) + " makes more than "
            + org.implicit4j.onnx.OnnxTensors.MAX_ACTIVATION_VALUES + " values; too large to hold");
      }
      out[d] = (int) (in[d] * reps[d]);
    }
    int[] src = new int[Tensor.sizeOf(out)];
    int[] idx = new int[out.length];
    int[] stride = Shapes.strides(in);
    for (int k = 0; k < src.length; k++) {
      int s = 0;
      for (int d = 0; d < out.length; d++) {
        s += (idx[d] % in[d]) * stride[d];
      }
      src[k] = s;
      for (int d = out.length - 1; d >= 0 && ++idx[d] == out[d]; d--) {
        idx[d] = 0;
      }
    }
    return List.of(x.map(CsrMatrix.selection(src, x.size()), out));
  }

  /** DepthToSpace (DCR or CRD): [N, C, H, W] → [N, C/b², H·b, W·b] through a reshape and a transpose. */
  public static List<Affine> depthToSpace(OnnxNodeView n) {
    Affine x = n.input(0);
    int b = (int) n.intOr("blocksize", 0);
    int[] s = rank4(n, x);
    if (b < 1 || s[1] % (b * b) != 0) {
      throw n.error("blocksize " + b + " does not divide the " + s[1] + " channels into squares");
    }
    int c = s[1] / (b * b);
    boolean crd = "CRD".equals(n.stringOr("mode", "DCR"));
    Affine r = crd ? x.reshape(new int[] {s[0], c, b, b, s[2], s[3]}) : x.reshape(new int[] {s[0], b, b, c, s[2], s[3]});
    int[] perm = crd ? new int[] {0, 1, 4, 2, 5, 3} : new int[] {0, 3, 4, 1, 5, 2};
    return List.of(TransposeConverter.permute(r, perm).reshape(new int[] {s[0], c, s[2] * b, s[3] * b}));
  }

  /** SpaceToDepth: [N, C, H, W] → [N, C·b², H/b, W/b]. */
  public static List<Affine> spaceToDepth(OnnxNodeView n) {
    Affine x = n.input(0);
    int b = (int) n.intOr("blocksize", 0);
    int[] s = rank4(n, x);
    if (b < 1 || s[2] % b != 0 || s[3] % b != 0) {
      throw n.error("blocksize " + b + " does not divide the " + s[2] + "x" + s[3] + " image");
    }
    Affine r = x.reshape(new int[] {s[0], s[1], s[2] / b, b, s[3] / b, b});
    return List.of(TransposeConverter.permute(r, new int[] {0, 3, 5, 1, 2, 4})
        .reshape(new int[] {s[0], s[1] * b * b, s[2] / b, s[3] / b}));
  }

  private static int[] rank4(OnnxNodeView n, Affine x) {
    if (x.rank() != 4) {
      throw n.error("input of shape " + Shapes.str(x.shape()) + "; expected [N, C, H, W]");
    }
    return x.shape();
  }

  /** CumSum along a constant axis; {@code exclusive} leaves out the element itself, {@code reverse} sums from the end. */
  public static List<Affine> cumSum(OnnxNodeView n) {
    Affine x = n.input(0);
    int axis = Shapes.axis((long) n.constant(1, "axis").data()[0], x.rank(), n);
    boolean exclusive = n.intOr("exclusive", 0) != 0;
    boolean reverse = n.intOr("reverse", 0) != 0;
    int[] s = x.shape();
    int len = s[axis];
    int inner = Tensor.sizeOf(Arrays.copyOfRange(s, axis + 1, s.length));
    int outer = Tensor.sizeOf(Arrays.copyOfRange(s, 0, axis));
    long entries = (long) outer * inner * len * (len + 1) / 2;
    if (entries > Integer.MAX_VALUE / 2) {
      throw n.error("a cumulative sum over " + len + " elements needs " + entries + " matrix entries; too large");
    }
    int[] rows = new int[(int) entries];
    int[] cols = new int[(int) entries];
    int e = 0;
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < len; i++) {
        for (int j = 0; j < len; j++) {
          boolean in = reverse ? (exclusive ? j > i : j >= i) : (exclusive ? j < i : j <= i);
          for (int k = 0; in && k < inner; k++) {
            rows[e] = (o * len + i) * inner + k;
            cols[e++] = (o * len + j) * inner + k;
          }
        }
      }
    }
    CsrMatrix m = CsrMatrix.fromTriples(x.size(), x.size(), rows, cols, Nonlinear.filled(e, 1), e);
    Affine y = x.map(m, s);
    return List.of(new Affine(s, y.terms(), y.bias(), x.integer()));
  }

  /**
   * Trilu: the upper (upper=1) or lower triangle of the last two axes from diagonal k (a constant
   * input), the rest zero: a 0/1 mask, affine.
   */
  public static List<Affine> trilu(OnnxNodeView n) {
    Affine x = n.input(0);
    if (x.rank() < 2) {
      throw n.error("input of rank " + x.rank() + "; Trilu needs at least 2");
    }
    long k = n.hasInput(1) ? (long) n.constant(1, "k").data()[0] : 0;
    boolean upper = n.intOr("upper", 1) != 0;
    int[] s = x.shape();
    int rows = s[s.length - 2];
    int cols = s[s.length - 1];
    double[] mask = new double[x.size()];
    for (int e = 0; e < mask.length; e++) {
      int j = e % cols;
      int i = (e / cols) % rows;
      mask[e] = upper ? (j - i >= k ? 1 : 0) : (j - i <= k ? 1 : 0);
    }
    Affine y = x.times(mask);
    return List.of(new Affine(s, y.terms(), y.bias(), x.integer()));
  }

  /** GatherElements with constant indices: out[…, i, …] = data[…, index[…, i, …], …] along one axis. */
  public static List<Affine> gatherElements(OnnxNodeView n) {
    Affine x = n.input(0);
    Tensor idx = n.constant(1, "indices");
    int axis = Shapes.axis(n.intOr("axis", 0), x.rank(), n);
    int[] s = x.shape();
    int[] out = idx.shape();
    if (out.length != s.length) {
      throw n.error("indices of rank " + out.length + " for data of rank " + s.length);
    }
    int[] stride = Shapes.strides(s);
    int[] src = new int[idx.size()];
    int[] at = new int[out.length];
    for (int e = 0; e < src.length; e++) {
      long j = (long) idx.data()[e];
      j = j < 0 ? j + s[axis] : j;
      if (j < 0 || j >= s[axis]) {
        throw n.error("index " + (long) idx.data()[e] + " out of range for an axis of size " + s[axis]);
      }
      int off = 0;
      for (int d = 0; d < out.length; d++) {
        off += (d == axis ? (int) j : at[d]) * stride[d];
      }
      src[e] = off;
      for (int d = out.length - 1; d >= 0 && ++at[d] == out[d]; d--) {
        at[d] = 0;
      }
    }
    return List.of(x.map(CsrMatrix.selection(src, x.size()), out));
  }
}
