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
   * Values of one sample's image in a copy: its rows, then a row of zeros. In a copy, each channel
   * holds the band's samples' images one after another, and a zero row comes first. The zero rows
   * pad the rows' runs at both ends of each image (so stacked samples need no halo rows), let one
   * strided copy zero a column through all of them, and keep channels from lying a multiple of
   * 4 KB apart: a 32×32 plane is 4 KB of floats, and its 16 channels then met in the same L1 sets
   * (ResNet-20's 16-channel layers ran 470 → 680 µs for 16 samples).
   */
  private final int unit;

  UnpaddedConv(ConvGeometry g, boolean fp32, Pointer[] taps) {
    this.g = g;
    this.fp32 = fp32;
    this.taps = taps;
    this.unit = (g.h() + 1) * g.w();
  }

  /** 3×3, stride 1, no dilation, padding 1 on every side (output size = input size). */
  static boolean applies(ConvGeometry g) {
    return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
        && g.padTop() == 1 && g.padLeft() == 1 && g.oh() == g.h() && g.ow() == g.w();
  }

  /** Values of a sample's image and its zero row: what stacking a sample adds to a band's products. */
  int valuesPerSample() {
    return unit;
  }

  /**
   * y += diag(left)·K_grp·diag(right)·x over output rows [oy0, oy1) of samples s0 … s0 + samples − 1
   * (several samples only over whole images): the input to native memory in one transfer and from
   * there into the other two copies (last, first column zero), nine products into the compact
   * result (channel tiles of 16 where larger), one add per channel and sample. A stacked tap's run
   * goes through the zero row after each image: those product rows are computed and not added.
   */
  void band(NativeConv.Operands io, int s0, int samples, int grp, int oy0, int oy1, double[] left,
      double[] right, NativeConv.Buffers buf) {
    int w = g.w();
    int n = (samples - 1) * unit + (oy1 - oy0) * w;
    int m = g.coutPerGroup();
    int copy = w + g.cinPerGroup() * samples * unit;
    Object staged = stage(io, s0, samples, grp, right, buf, copy);
    NativeMemory mem = NativeMemory.scratch();
    Pointer in = mem.in(0, staged, copy, 3L * copy, copy);
    NativeBlas.copy(copy, in, copy, 1, in, 0, 1);
    NativeBlas.copy(copy, in, copy, 1, in, 2L * copy, 1);
    NativeBlas.copy(copy / w, null, 0, 0, in, w - 1, w); // the first copy's last column
    NativeBlas.copy(copy / w, null, 0, 0, in, 2L * copy, w); // the third copy's first column
    buf.ensure(0, m * n, fp32);
    Pointer out = mem.values(1, (long) m * n, fp32);
    Run run = new Run(in, copy, samples * unit, oy0, oy1, (samples - 1) * unit, out, n);
    int mt = NativeConv.channelTile(m, n, g.cinPerGroup());
    for (int r = 0; r < m; r += mt) {
      int rows = Math.min(mt, m - r);
      tap(run, grp, 1, 1, r, rows, false); // the centre covers every pixel: β = 0
      for (int tap = 0; tap < 9; tap++) {
        if (tap != 4) {
          tap(run, grp, tap / 3, tap % 3, r, rows, true);
        }
      }
    }
    Object result = fp32 ? buf.out32 : buf.out64;
    NativeMemory.get(out, result, m * n);
    for (int s = 0; s < samples; s++) {
      NativeConv.scatter(g, new NativeConv.Wide(result, s * unit, n, oy1 - oy0, w), io.y(),
          io.yOff() + (s0 + s) * io.yStride(), grp, oy0, left);
    }
  }

  /**
   * The operands of a band's tap products: the three copies in native memory, {@code copy} values
   * each, channels {@code ld} apart; output rows [oy0, oy1) of the first sample, and {@code before}
   * values of earlier samples ahead of the last sample's rows; the result, n values a channel.
   */
  private record Run(Pointer in, int copy, int ld, int oy0, int oy1, int before, Pointer out, int n) {}

  /**
   * out[r…, q) (+)= K_tap[r…] · run over the output positions q whose input row oy + ky − 1 is inside,
   * or a zero row: from the first sample's row max(oy0, 1 − ky) to the last sample's row
   * min(oy1, h + 1 − ky).
   */
  private void tap(Run b, int grp, int ky, int kx, int r, int rows, boolean accumulate) {
    int w = g.w();
    int lo = Math.max(b.oy0(), 1 - ky) * w;
    int hi = b.before() + Math.min(b.oy1(), g.h() + 1 - ky) * w;
    if (lo >= hi) {
      return;
    }
    int m = g.coutPerGroup();
    int cpg = g.cinPerGroup();
    long from = (long) kx * b.copy() + w + lo + (long) (ky - 1) * w + (kx - 1);
    NativeBlas.rawGemm(false, false, rows, hi - lo, cpg, taps[grp], ((long) (ky * 3 + kx) * m + r) * cpg, cpg,
        b.in(), from, b.ld(), b.out(), (long) r * b.n() + lo - (long) b.oy0() * w, b.n(), accumulate);
  }

  /**
   * The input as a copy holds it, in the thread's heap buffer (of the kernel's type): a zero row,
   * then per channel each sample's image followed by a zero row.
   */
  private Object stage(NativeConv.Operands io, int s0, int samples, int grp, double[] right,
      NativeConv.Buffers buf, int copy) {
    int cpg = g.cinPerGroup();
    int len = g.h() * g.w();
    Object staged = fp32 ? buf.input32(copy) : buf.input64(copy);
    zero(staged, 0, g.w());
    for (int c = 0; c < cpg; c++) {
      for (int s = 0; s < samples; s++) {
        int to = g.w() + (c * samples + s) * unit;
        int from = io.xOff() + (s0 + s) * io.xStride() + (grp * cpg + c) * len;
        NativeConv.copyScaled(io.x(), from, right, (grp * cpg + c) * len, staged, to, len);
        zero(staged, to + len, to + unit);
      }
    }
    return staged;
  }

  private static void zero(Object a, int from, int to) {
    if (a instanceof float[] f) {
      java.util.Arrays.fill(f, from, to, 0f);
    } else {
      java.util.Arrays.fill((double[]) a, from, to, 0.0);
    }
  }
}
