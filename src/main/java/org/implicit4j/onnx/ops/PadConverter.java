package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * Pad: a selection. Constant mode embeds the input with the pad value as bias; reflect, edge and wrap
 * read each padded element from the input element the mode names, so all four are exact.
 */
public final class PadConverter implements OpConverter {
  /** Where a padded element reads from. */
  private enum Mode { CONSTANT, REFLECT, EDGE, WRAP }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    String name = n.stringOr("mode", "constant");
    Mode mode = switch (name) {
      case "constant" -> Mode.CONSTANT;
      case "reflect" -> Mode.REFLECT;
      case "edge" -> Mode.EDGE;
      case "wrap" -> Mode.WRAP;
      default -> throw n.unsupported("Pad mode '" + name + "'");
    };
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
    int[] src = sources(x.shape(), before, out, mode);
    double[] bias = new double[src.length];
    for (int k = 0; k < src.length; k++) {
      bias[k] = src[k] < 0 ? value : 0;
    }
    return List.of(x.map(CsrMatrix.selection(src, x.size()), out).plusConstant(bias));
  }

  /** The input index of each output element in C order; −1 where constant padding lies. */
  private static int[] sources(int[] in, int[] before, int[] out, Mode mode) {
    int rank = in.length;
    int[] src = new int[Tensor.sizeOf(out)];
    int[] is = Shapes.strides(in);
    int[] idx = new int[rank];
    for (int k = 0; k < src.length; k++) {
      int s = 0;
      for (int d = 0; d < rank && s >= 0; d++) {
        int i = inside(idx[d] - before[d], in[d], mode);
        s = i < 0 ? -1 : s + i * is[d];
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

  /** Index i on an axis of length len, mapped into [0, len) by the mode, or −1 for constant padding. */
  private static int inside(int i, int len, Mode mode) {
    if (i >= 0 && i < len) {
      return i;
    }
    return switch (mode) {
      case CONSTANT -> -1;
      case EDGE -> Math.max(0, Math.min(len - 1, i));
      case WRAP -> Math.floorMod(i, len);
      case REFLECT -> {
        if (len == 1) {
          yield 0;
        }
        int m = Math.floorMod(i, 2 * (len - 1)); // a mirror without repeating the edge: period 2(len − 1)
        yield m < len ? m : 2 * (len - 1) - m;
      }
    };
  }
}
