package org.implicit4j.onnx.ops;

import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OnnxTensors;
import org.implicit4j.onnx.SpatialAttrs;

/**
 * The windows of a 2-D (or 1-D) pool over a [N, C, H, W] value: for window tap j and output
 * element o, the input index read, or −1 where the tap falls in padding.
 */
record PoolWindows(int[] outShape, int[][] taps, int inSize) {

  static PoolWindows of(OnnxNodeView n, Affine x, int[] kernel, boolean global) {
    return of(n, x, kernel, global, taps -> { });
  }

  /**
   * @param reserve told the number of (tap, output) pairs before they are built, to refuse windows
   *     too large for what the caller will make of them
   */
  static PoolWindows of(OnnxNodeView n, Affine x, int[] kernel, boolean global,
      java.util.function.LongConsumer reserve) {
    int rank = x.rank();
    if (rank == 5) {
      return nd(n, x, kernel, global, reserve);
    }
    if (rank != 3 && rank != 4) {
      throw n.unsupported(n.op() + " on a rank-" + rank + " input (1-D, 2-D and 3-D pools only)");
    }
    int spatial = rank - 2;
    int batch = x.shape()[0];
    int c = x.shape()[1];
    int h = spatial == 2 ? x.shape()[2] : 1;
    int w = x.shape()[rank - 1];
    if (global) {
      kernel = spatial == 2 ? new int[] {h, w} : new int[] {w};
    }
    if (kernel == null || kernel.length != spatial) {
      throw n.error("kernel_shape must have " + spatial + " entries");
    }
    SpatialAttrs s = global ? new SpatialAttrs(h, w, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1)
        : SpatialAttrs.of(n, h, w, kernel, n.intOr("ceil_mode", 0) != 0, spatial);
    int outPlane = s.oh() * s.ow();
    int outSize = batch * c * outPlane;
    int k = s.kh() * s.kw();
    long pairs = (long) k * outSize;
    if (pairs > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw n.error("a " + s.kh() + "x" + s.kw() + " window over " + outSize + " outputs reads " + pairs
          + " values; too large to hold");
    }
    reserve.accept(pairs);
    int[][] taps = new int[k][outSize];
    for (int plane = 0; plane < batch * c; plane++) {
      for (int oy = 0; oy < s.oh(); oy++) {
        for (int ox = 0; ox < s.ow(); ox++) {
          int o = plane * outPlane + oy * s.ow() + ox;
          for (int ky = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++) {
              int iy = oy * s.sh() - s.padTop() + ky * s.dh();
              int ix = ox * s.sw() - s.padLeft() + kx * s.dw();
              boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              taps[ky * s.kw() + kx][o] = inside ? (plane * h + iy) * w + ix : -1;
            }
          }
        }
      }
    }
    int[] out = spatial == 2 ? new int[] {batch, c, s.oh(), s.ow()} : new int[] {batch, c, s.ow()};
    return new PoolWindows(out, taps, x.size());
  }

  /** The 3-D case through {@link WindowsNd}: the same tables, one plane per (batch, channel). */
  private static PoolWindows nd(OnnxNodeView n, Affine x, int[] kernel, boolean global,
      java.util.function.LongConsumer reserve) {
    int[] shape = x.shape();
    int[] spatial = java.util.Arrays.copyOfRange(shape, 2, shape.length);
    WindowsNd w = WindowsNd.of(n, spatial, global ? spatial : kernel, !global && n.intOr("ceil_mode", 0) != 0);
    int planes = shape[0] * shape[1];
    long pairs = (long) w.taps() * planes * w.outVolume();
    if (pairs > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw n.error("a " + w.taps() + "-tap window over " + planes * (long) w.outVolume() + " outputs reads " + pairs
          + " values; too large to hold");
    }
    reserve.accept(pairs);
    int[][] inside = w.table();
    int ov = w.outVolume();
    int[][] taps = new int[w.taps()][planes * ov];
    for (int j = 0; j < w.taps(); j++) {
      for (int plane = 0; plane < planes; plane++) {
        for (int p = 0; p < ov; p++) {
          taps[j][plane * ov + p] = inside[j][p] < 0 ? -1 : plane * w.inVolume() + inside[j][p];
        }
      }
    }
    int[] out = {shape[0], shape[1], w.out()[0], w.out()[1], w.out()[2]};
    return new PoolWindows(out, taps, x.size());
  }

  int outSize() {
    return taps[0].length;
  }
}
