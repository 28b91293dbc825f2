package org.implicit4j.linalg;

import org.bytedeco.javacpp.Pointer;

/**
 * A 3×3 stride-1 'same' convolution as one GEMM per tap read straight from the unpadded input, so
 * that neither a padded layout nor a wide result is built (ResNet-20's 3×3 layers: the phase layout
 * and the scatter of its wide rows were a quarter of each layer's time, one small copy per row).
 *
 * <p>Output pixel q = oy·w + ox of tap (ky, kx) reads input q + (ky − 1)·w + (kx − 1) of each
 * channel's plane: a contiguous run, so tap products are K_tap (cout × cin) · X_run (cin × pixels)
 * with the plane as leading dimension, accumulated (β = 1) into one compact result. The zero
 * padding is made two ways. Rows: tap ky multiplies only the output rows whose input row
 * oy + ky − 1 is inside. Columns: the run of a tap with kx = 0 reads, at ox = 0, the previous row's
 * last value, a column no output reads through that tap; so that tap reads a copy of the input
 * whose last column is zero (and kx = 2 one whose first column is zero). A row of zeros after
 * each plane serves the first row's start and the last row's end. The operator (a block of El
 * Ghaoui et al.'s A or B) is unchanged: only the order of the sums differs.
 */
final class UnpaddedConv {
  private final ConvGeometry g;
  private final boolean fp32;
  /** Per group, the kernels tap-major [tap][cout/g][cin/g] in native memory (shared with ShiftedConv). */
  private final Pointer[] taps;
  /**
   * Distance between planes in a copy: each plane is followed by a row of zeros. The zero rows pad
   * the rows' runs at both ends of each plane, let one strided copy zero a column through all
   * planes, and keep the planes from lying a multiple of 4 KB apart: a 32×32 plane is 4 KB of
   * floats, and its 16 channels then met in the same L1 sets (ResNet-20's 16-channel layers ran
   * 470 → 680 µs for 16 samples).
   */
  private final int plane;
  /** Values of one copy: a zero row, then each plane followed by a zero row. */
  private final int copy;

  UnpaddedConv(ConvGeometry g, boolean fp32, Pointer[] taps) {
    this.g = g;
    this.fp32 = fp32;
    this.taps = taps;
    this.plane = (g.h() + 1) * g.w();
    this.copy = (g.cinPerGroup() * (g.h() + 1) + 1) * g.w();
  }

  /** 3×3, stride 1, no dilation, padding 1 on every side (output size = input size). */
  static boolean applies(ConvGeometry g) {
    return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
        && g.padTop() == 1 && g.padLeft() == 1 && g.oh() == g.h() && g.ow() == g.w();
  }

  /**
   * y += diag(left)·K_grp·diag(right)·x over output rows [oy0, oy1) of sample s: the input to native
   * memory in one transfer and from there into the other two copies (last, first column zero), nine
   * products into the compact result (channel tiles of 16 where larger), one add per channel.
   */
  void band(NativeConv.Operands io, int s, int grp, int oy0, int oy1, double[] left, double[] right,
      NativeConv.Buffers buf) {
    int w = g.w();
    int n = (oy1 - oy0) * w;
    int m = g.coutPerGroup();
    int cpg = g.cinPerGroup();
    Object staged = stage(io, s, grp, right, buf);
    NativeMemory mem = NativeMemory.scratch();
    Pointer in = mem.in(0, staged, copy, 3L * copy, copy);
    NativeBlas.copy(copy, in, copy, 1, in, 0, 1);
    NativeBlas.copy(copy, in, copy, 1, in, 2L * copy, 1);
    NativeBlas.copy(copy / w, null, 0, 0, in, w - 1, w); // the first copy's last column
    NativeBlas.copy(copy / w, null, 0, 0, in, 2L * copy, w); // the third copy's first column
    buf.ensure(0, m * n, fp32);
    Pointer out = mem.values(1, (long) m * n, fp32);
    int mt = NativeConv.channelTile(m, n, cpg);
    for (int r = 0; r < m; r += mt) {
      int rows = Math.min(mt, m - r);
      tap(in, grp, 1, 1, r, rows, oy0, oy1, out, n, false); // the centre covers every pixel: β = 0
      for (int tap = 0; tap < 9; tap++) {
        if (tap != 4) {
          tap(in, grp, tap / 3, tap % 3, r, rows, oy0, oy1, out, n, true);
        }
      }
    }
    Object result = fp32 ? buf.out32 : buf.out64;
    NativeMemory.get(out, result, m * n);
    NativeConv.scatter(g, new NativeConv.Wide(result, 0, n, oy1 - oy0, w), io.y(), io.yOff() + s * io.yStride(),
        grp, oy0, left);
  }

  /** out[r…, pixels of rows lo…hi) (+)= K_tap[r…] · run: the output rows whose input row oy + ky − 1 is inside. */
  private void tap(Pointer in, int grp, int ky, int kx, int r, int rows, int oy0, int oy1, Pointer out, int n,
      boolean accumulate) {
    int w = g.w();
    int lo = Math.max(oy0, 1 - ky);
    int hi = Math.min(oy1, g.h() + 1 - ky);
    if (lo >= hi) {
      return;
    }
    int m = g.coutPerGroup();
    int cpg = g.cinPerGroup();
    long from = (long) kx * copy + w + (long) (lo + ky - 1) * w + (kx - 1);
    NativeBlas.rawGemm(false, false, rows, (hi - lo) * w, cpg, taps[grp], ((long) (ky * 3 + kx) * m + r) * cpg, cpg,
        in, from, plane, out, (long) r * n + (long) (lo - oy0) * w, n, accumulate);
  }

  /** The input as a copy holds it, in the thread's heap buffer (of the kernel's type): zero rows, then planes. */
  private Object stage(NativeConv.Operands io, int s, int grp, double[] right, NativeConv.Buffers buf) {
    int cpg = g.cinPerGroup();
    int len = g.h() * g.w();
    int from = io.xOff() + s * io.xStride() + grp * cpg * len;
    Object staged = fp32 ? buf.input32(copy) : buf.input64(copy);
    for (int c = 0; c <= cpg; c++) { // the zero rows
      if (staged instanceof float[] f) {
        java.util.Arrays.fill(f, c * plane, c * plane + g.w(), 0f);
      } else {
        java.util.Arrays.fill((double[]) staged, c * plane, c * plane + g.w(), 0.0);
      }
    }
    for (int c = 0; c < cpg; c++) {
      NativeConv.copyScaled(io.x(), from + c * len, right, (grp * cpg + c) * len, staged, g.w() + c * plane, len);
    }
    return staged;
  }
}
