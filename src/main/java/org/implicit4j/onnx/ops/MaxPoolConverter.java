package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.LinearOperator;
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
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    if (n.outputCount() > 1 && !n.outputName(1).isEmpty()) {
      throw n.unsupported("the Indices output of MaxPool");
    }
    boolean global = n.op().equals("GlobalMaxPool");
    Affine x = n.input(0);
    PoolWindows pw = PoolWindows.of(n, x, n.intsOr("kernel_shape", null), global);
    int out = pw.outSize();
    int[][] taps = pw.taps();
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
    if (x.isConstant()) {
      double[] r = new double[out];
      for (int o = 0; o < out; o++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int[] tap : taps) {
          m = Math.max(m, x.bias()[tap[o]]);
        }
        r[o] = m;
      }
      return List.of(Affine.constant(pw.outShape(), r));
    }
    // Keep every term sparse: a general input (e.g. a convolution of a state) becomes an identity state first.
    boolean sparse = x.terms().values().stream().allMatch(op -> op instanceof CsrMatrix
        || op instanceof org.implicit4j.linalg.DiagonalMatrix);
    Affine z = sparse ? x : n.context().newState(n.outputName(0) + "#in", x, Activation.IDENTITY, null);
    List<Affine> values = new ArrayList<>();
    for (int[] tap : taps) {
      values.add(z.map(CsrMatrix.selection(tap, z.size()), pw.outShape()));
    }
    int level = 0;
    while (values.size() > 1) {
      level++;
      int pairs = values.size() / 2;
      List<Affine> diffs = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        Affine a = values.get(2 * i);
        Affine b = values.get(2 * i + 1);
        diffs.add(a.plus(b.times(ElementwiseConverter.fill(b.shape(), -1))));
      }
      Affine stacked = ConcatConverter.stack(diffs, new int[] {pairs, out});
      Affine r = n.context().newState(n.outputName(0) + "#max" + level, stacked, Activation.RELU, null);
      List<Affine> next = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        int[] rowsOfPair = new int[out];
        for (int o = 0; o < out; o++) {
          rowsOfPair[o] = i * out + o;
        }
        LinearOperator sel = CsrMatrix.selection(rowsOfPair, pairs * out);
        next.add(values.get(2 * i + 1).plus(r.map(sel, pw.outShape())));
      }
      if (values.size() % 2 == 1) {
        next.add(values.get(values.size() - 1));
      }
      values = next;
    }
    return List.of(values.get(0));
  }
}
