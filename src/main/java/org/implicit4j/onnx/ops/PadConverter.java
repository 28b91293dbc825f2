package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/** Pad in constant mode: a sparse embedding, with the pad value (usually 0) as bias. */
public final class PadConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    String mode = n.stringOr("mode", "constant");
    if (!mode.equals("constant")) {
      throw n.unsupported("Pad mode '" + mode + "'");
    }
    Affine x = n.input(0);
    int rank = x.rank();
    long[] pads;
    double value;
    long[] axes = null;
    if (n.opset() < 11) {
      pads = n.ints(n.opset() < 2 ? "paddings" : "pads");
      value = n.floatOr("value", 0);
    } else {
      pads = n.constant(1, "pads").longs();
      value = n.hasInput(2) ? n.constant(2, "constant_value").data()[0] : 0;
      axes = n.hasInput(3) ? n.constant(3, "axes").longs() : null;
    }
    int[] ax = new int[axes == null ? rank : axes.length];
    for (int i = 0; i < ax.length; i++) {
      ax[i] = axes == null ? i : Shapes.axis(axes[i], rank, n);
    }
    if (pads == null || pads.length != 2 * ax.length) {
      throw n.error("pads must have " + 2 * ax.length + " values");
    }
    int[] before = new int[rank];
    int[] out = x.shape();
    for (int i = 0; i < ax.length; i++) {
      before[ax[i]] = (int) pads[i];
      out[ax[i]] += (int) (pads[i] + pads[i + ax.length]);
      if (out[ax[i]] < 0) {
        throw n.error("pads make axis " + ax[i] + " negative");
      }
    }
    int[] src = sources(x.shape(), before, out);
    double[] bias = new double[src.length];
    for (int k = 0; k < src.length; k++) {
      bias[k] = src[k] < 0 ? value : 0;
    }
    return List.of(x.map(CsrMatrix.selection(src, x.size()), out).plusConstant(bias));
  }

  /** The input index of each output element in C order, −1 where the output lies in the padding. */
  private static int[] sources(int[] in, int[] before, int[] out) {
    int rank = in.length;
    int[] src = new int[Tensor.sizeOf(out)];
    int[] is = Shapes.strides(in);
    int[] idx = new int[rank];
    for (int k = 0; k < src.length; k++) {
      int s = 0;
      for (int d = 0; d < rank && s >= 0; d++) {
        int i = idx[d] - before[d];
        s = i < 0 || i >= in[d] ? -1 : s + i * is[d];
      }
      src[k] = s;
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < out[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return src;
  }
}
