package org.implicit4j.onnx;

/**
 * The 2-D window attributes shared by Conv, MaxPool and AveragePool: kernel, strides, dilations
 * and the resolved begin/end pads (explicit {@code pads} or {@code auto_pad}), with output sizes.
 * 1-D ops are treated as 2-D with height 1.
 */
public record SpatialAttrs(int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft,
    int padBottom, int padRight, int oh, int ow) {

  /**
   * @param ceil whether ceil_mode applies (pools only)
   */
  public static SpatialAttrs of(OnnxNodeView n, int h, int w, int[] kernel, boolean ceil, int spatialRank) {
    int kh = spatialRank == 2 ? kernel[0] : 1;
    int kw = kernel[spatialRank - 1];
    int[] strides = n.intsOr("strides", spatialRank == 2 ? new int[] {1, 1} : new int[] {1});
    int[] dil = n.intsOr("dilations", spatialRank == 2 ? new int[] {1, 1} : new int[] {1});
    int sh = spatialRank == 2 ? strides[0] : 1;
    int sw = strides[spatialRank - 1];
    int dh = spatialRank == 2 ? dil[0] : 1;
    int dw = dil[spatialRank - 1];
    String auto = n.stringOr("auto_pad", "NOTSET");
    int pt;
    int pl;
    int pb;
    int pr;
    int oh;
    int ow;
    switch (auto) {
      case "NOTSET" -> {
        int[] pads = n.intsOr("pads", new int[2 * spatialRank]);
        if (pads.length != 2 * spatialRank) {
          throw n.error("pads has " + pads.length + " values, expected " + 2 * spatialRank);
        }
        pt = spatialRank == 2 ? pads[0] : 0;
        pl = pads[spatialRank - 1];
        pb = spatialRank == 2 ? pads[2] : 0;
        pr = pads[2 * spatialRank - 1];
        oh = outSize(h, kh, sh, pt, pb, dh, ceil);
        ow = outSize(w, kw, sw, pl, pr, dw, ceil);
      }
      case "VALID" -> {
        pt = pl = pb = pr = 0;
        oh = outSize(h, kh, sh, 0, 0, dh, ceil);
        ow = outSize(w, kw, sw, 0, 0, dw, ceil);
      }
      case "SAME_UPPER", "SAME_LOWER" -> {
        boolean upper = auto.equals("SAME_UPPER");
        oh = (h + sh - 1) / sh;
        ow = (w + sw - 1) / sw;
        int th = Math.max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - h);
        int tw = Math.max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - w);
        pt = upper ? th / 2 : th - th / 2;
        pb = th - pt;
        pl = upper ? tw / 2 : tw - tw / 2;
        pr = tw - pl;
      }
      default -> throw n.error("auto_pad '" + auto + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    if (oh <= 0 || ow <= 0) {
      throw n.error("window " + kh + "x" + kw + " does not fit the " + h + "x" + w + " input");
    }
    return new SpatialAttrs(kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow);
  }

  /** floor or ceil of (in + pads − dil·(k−1) − 1)/stride + 1; in ceil mode a last window starting in the end padding is dropped. */
  public static int outSize(int in, int k, int s, int pb, int pe, int d, boolean ceil) {
    int span = in + pb + pe - d * (k - 1) - 1;
    if (span < 0) {
      return 0;
    }
    int out = (ceil ? (span + s - 1) / s : span / s) + 1;
    if (ceil && (out - 1) * s >= in + pb) {
      out--;
    }
    return out;
  }
}
