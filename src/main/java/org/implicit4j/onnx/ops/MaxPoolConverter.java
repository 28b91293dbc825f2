package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * MaxPool (pads, strides, ceil_mode, dilations) and GlobalMaxPool, exact with ReLU states:
 * max(a, b) = b + relu(a − b), applied as a balanced tree over the window taps (depth ⌈log₂ k⌉, one
 * state block per level). Taps in padding are replaced by another tap of the same window, since
 * max(a, a) = a, which is exactly ONNX's "padding is ignored".
 */
public final class MaxPoolConverter implements OpConverter {
  private final boolean global;

  /** @param global the GlobalMaxPool form (one window over the whole image) */
  public MaxPoolConverter(boolean global) {
    this.global = global;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    if (n.outputCount() > 1 && !n.outputName(1).isEmpty()) {
      throw n.unsupported("the Indices output of MaxPool");
    }
    Affine x = n.input(0);
    // The tree holds about one ReLU state per (tap, output) pair: refuse a window too large before building it.
    PoolWindows pw = PoolWindows.of(n, x, n.intsOr("kernel_shape", null), global,
        pairs -> n.context().reserveStates(pairs / 2, n.outputName(0)));
    int[][] taps = pw.taps();
    fillPaddingTaps(n, taps, pw.outSize());
    if (x.isConstant()) {
      return List.of(Affine.constant(pw.outShape(), constantMax(x.bias(), taps, pw.outSize())));
    }
    // Keep every term sparse: a general input (e.g. a convolution of a state) becomes an identity state first.
    boolean sparse = x.terms().values().stream().allMatch(op -> op instanceof CsrMatrix
        || op instanceof org.implicit4j.linalg.DiagonalMatrix);
    Affine z = sparse ? x : n.context().newState(n.outputName(0) + "#in", x, Activation.IDENTITY, null);
    List<Affine> values = new ArrayList<>();
    for (int[] tap : taps) {
      values.add(z.map(CsrMatrix.selection(tap, z.size()), pw.outShape()));
    }
    return List.of(Nonlinear.extremeTree(n, values, true, n.outputName(0)));
  }

  /** Taps in padding (index −1) take another tap of the same window: max(a, a) = a. */
  private static void fillPaddingTaps(OnnxNodeView n, int[][] taps, int out) {
    for (int o = 0; o < out; o++) {
      int first = -1;
      for (int[] tap : taps) {
        if (tap[o] >= 0) {
          first = tap[o];
          break;
        }
      }
      if (first < 0) {
        throw n.error("an output window lies entirely in padding");
      }
      for (int[] tap : taps) {
        if (tap[o] < 0) {
          tap[o] = first;
        }
      }
    }
  }

  private static double[] constantMax(double[] v, int[][] taps, int out) {
    double[] r = new double[out];
    for (int o = 0; o < out; o++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int[] tap : taps) {
        m = Math.max(m, v[tap[o]]);
      }
      r[o] = m;
    }
    return r;
  }
}
