package org.implicit4j.onnx.ops;

import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.SpatialAttrs;
import org.implicit4j.onnx.Tensor;

/**
 * Windows of a Conv or pool over any number of spatial axes (the 3-D case; 1-D and 2-D have the
 * structured {@link SpatialAttrs} path). Per axis: kernel, stride, dilation, begin/end pads (explicit
 * or {@code auto_pad}) and output size, with ONNX's ceil-mode rule.
 */
record WindowsNd(int[] in, int[] kernel, int[] stride, int[] dil, int[] padBegin, int[] padEnd, int[] out) {

  static WindowsNd of(OnnxNodeView n, int[] in, int[] kernel, boolean ceil) {
    int r = in.length;
    int[] stride = n.intsOr("strides", ones(r));
    int[] dil = n.intsOr("dilations", ones(r));
    int[] pads = n.intsOr("pads", new int[2 * r]);
    if (kernel == null || kernel.length != r || stride.length != r || dil.length != r || pads.length != 2 * r) {
      throw n.error("kernel_shape, strides, dilations and pads must have " + r + ", " + r + ", " + r + " and "
          + 2 * r + " entries for " + r + " spatial axes");
    }
    String auto = n.stringOr("auto_pad", "NOTSET");
    int[] begin = new int[r];
    int[] end = new int[r];
    int[] out = new int[r];
    for (int a = 0; a < r; a++) {
      switch (auto) {
        case "NOTSET", "VALID" -> {
          begin[a] = auto.equals("VALID") ? 0 : pads[a];
          end[a] = auto.equals("VALID") ? 0 : pads[a + r];
          out[a] = SpatialAttrs.outSize(in[a], kernel[a], stride[a], begin[a], end[a], dil[a], ceil);
        }
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[a] = (in[a] + stride[a] - 1) / stride[a];
          int total = Math.max(0, (out[a] - 1) * stride[a] + (kernel[a] - 1) * dil[a] + 1 - in[a]);
          begin[a] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
          end[a] = total - begin[a];
        }
        default -> throw n.error("auto_pad '" + auto + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
      }
      if (out[a] <= 0) {
        throw n.error("a window of " + kernel[a] + " does not fit spatial axis " + a + " of size " + in[a]);
      }
    }
    return new WindowsNd(in, kernel, stride, dil, begin, end, out);
  }

  /** The default strides and dilations: r ones. */
  static int[] ones(int r) {
    int[] v = new int[r];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  int inVolume() {
    return Tensor.sizeOf(in);
  }

  int outVolume() {
    return Tensor.sizeOf(out);
  }

  int taps() {
    return Tensor.sizeOf(kernel);
  }

  /** For tap j and output position o (C order within one plane): the input position read, −1 in the padding. */
  int[][] table() {
    int r = in.length;
    int[][] t = new int[taps()][outVolume()];
    int[] o = new int[r];
    for (int p = 0; p < outVolume(); p++, next(o, out)) {
      int[] k = new int[r];
      for (int j = 0; j < taps(); j++, next(k, kernel)) {
        int at = 0;
        boolean inside = true;
        for (int a = 0; a < r; a++) {
          int i = o[a] * stride[a] - padBegin[a] + k[a] * dil[a];
          inside &= i >= 0 && i < in[a];
          at = at * in[a] + i;
        }
        t[j][p] = inside ? at : -1;
      }
    }
    return t;
  }

  /** Advances a C-order multi-index within {@code dims}. */
  private static void next(int[] idx, int[] dims) {
    for (int d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) {
        return;
      }
      idx[d] = 0;
    }
  }
}
