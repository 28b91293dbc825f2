package org.implicit4j.linalg;

import org.bytedeco.javacpp.Pointer;

/**
 * A k×k stride-1 'same' convolution (k odd, padding (k − 1)/2) as one GEMM per kernel row, read
 * straight from the unpadded input, so that neither a padded layout, an im2col nor a wide result is
 * built (ResNet-20's 3×3 layers: the phase layout and the scatter of its wide rows were a quarter
 * of each layer's time, one small copy per row).
 *
 * <p>Output pixel q = oy·w + ox of tap (ky, kx) reads input q + (ky − p)·w + (kx − p) of each
 * channel's image, p = (k − 1)/2. The input is held in k copies, copy kx shifted by kx − p, so
 * that the k taps of kernel row ky read the same position q + (ky − p)·w of k·cin planes lying a
 * fixed stride apart: one product K_row(ky) (cout × k·cin) · X (k·cin × pixels) per kernel row,
 * accumulated (β = 1) into one compact result — k products of depth k·cin rather than k² of depth
 * cin (OpenBLAS: 16×1056×48 three times at 255 GFLOP/s, 16×1056×16 nine times at 217). The zero
 * padding is made two ways. Rows: kernel row ky multiplies only the output rows whose input row
 * oy + ky − p is inside. Columns: a shifted copy's values that came from a neighbouring row (its
 * first p − kx or last kx − p columns) are zero. Each image is followed by p zero rows, so that
 * stacked samples pad each other. The operator (a block of El Ghaoui et al.'s A or B) is unchanged:
 * only the order of the sums differs.
 */
final class UnpaddedConv {
  private final ConvGeometry g;
  private final boolean fp32;
  /** The kernel size k and the padding p = (k − 1)/2. */
  private final int k;
  private final int pad;
  /** Per group, the kernel rows [ky][cout/g][kx][cin/g] in native memory: row ky's product reads its K_row(ky). */
  private final Pointer[] rows;
  /**
   * Values of one sample's image in a copy: its rows, then p rows of zeros. In a copy, each channel
   * holds the band's samples' images one after another. The zero rows pad the rows' runs at both
   * ends of each image (so stacked samples need no halo rows) and keep channels from lying a
   * multiple of 4 KB apart: a 32×32 plane is 4 KB of floats, and its 16 channels then met in the
   * same L1 sets (ResNet-20's 16-channel layers ran 470 → 680 µs for 16 samples).
   */
  private final int unit;

  UnpaddedConv(ConvGeometry g, double[] kernel, float[] kernel32) {
    this.g = g;
    this.fp32 = kernel32 != null;
    this.k = g.kw();
    this.pad = g.padLeft();
    this.unit = (g.h() + pad) * g.w();
    this.rows = new Pointer[g.groups()];
    for (int grp = 0; grp < g.groups(); grp++) {
      rows[grp] = ShiftedConv.permuted(kernel, kernel32, ShiftedConv.kernelOrder(g, grp, true));
    }
  }

  /** k×k with k odd, stride 1, no dilation, padding (k − 1)/2 on every side (output size = input size). */
  static boolean applies(ConvGeometry g) {
    int k = g.kw();
    return k == g.kh() && k % 2 == 1 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
        && g.padTop() == (k - 1) / 2 && g.padLeft() == (k - 1) / 2 && g.oh() == g.h() && g.ow() == g.w();
  }

  /** The products' depth K = k·cin/g. */
  static int depth(ConvGeometry g) {
    return g.kw() * g.cinPerGroup();
  }

  /** Values of a sample's image and its zero rows: what stacking a sample adds to a band's products. */
  static long valuesPerSample(ConvGeometry g) {
    return (long) (g.h() + g.padTop()) * g.w();
  }

  /**
   * y += diag(left)·K_grp·diag(right)·x over output rows [oy0, oy1) of samples s0 … s0 + samples − 1
   * (several samples only over whole images): the input to native memory in one transfer and from
   * there into the k − 1 shifted copies, k products into the compact result (channel tiles of 16
   * where larger), one add per channel and sample. A stacked product's run goes through the zero
   * rows after each image: those product rows are computed and not added.
   */
  void band(NativeConv.Operands io, int s0, int samples, int grp, int oy0, int oy1, double[] left,
      double[] right, NativeConv.Buffers buf) {
    int w = g.w();
    int n = (samples - 1) * unit + (oy1 - oy0) * w;
    int m = g.coutPerGroup();
    int ld = samples * unit;
    Pointer in = copies(stage(io, s0, samples, grp, right, buf, ld), g.cinPerGroup() * ld);
    buf.ensure(0, m * n, fp32);
    NativeMemory mem = NativeMemory.scratch();
    Pointer out = mem.values(1, (long) m * n, fp32);
    Run run = new Run(in, ld, oy0, oy1, (samples - 1) * unit, out, n);
    int mt = NativeConv.channelTile(m, n, depth(g));
    for (int r = 0; r < m; r += mt) {
      int tile = Math.min(mt, m - r);
      kernelRow(run, grp, pad, r, tile, false); // the centre row covers every pixel: β = 0
      for (int ky = 0; ky < k; ky++) {
        if (ky != pad) {
          kernelRow(run, grp, ky, r, tile, true);
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
   * The k copies in native memory, {@code len} values each: the staged input as copy p, copy kx
   * shifted by kx − p (cblas_scopy), then the columns a shift wrapped in from a neighbouring row
   * zeroed (by a stride-0 source: ?scal by 0 keeps NaN). The values a shift reads from beyond its
   * copy land in those columns.
   */
  private Pointer copies(Object staged, int len) {
    int w = g.w();
    NativeMemory mem = NativeMemory.scratch();
    Pointer in = mem.in(0, staged, len, (long) k * len, (long) pad * len);
    for (int kx = 0; kx < k; kx++) {
      if (kx != pad) {
        NativeBlas.copy(len, in, (long) pad * len + kx - pad, 1, in, (long) kx * len, 1);
      }
    }
    for (int kx = 0; kx < k; kx++) {
      // copy kx < p: its first p − kx columns; kx > p: its last kx − p
      for (int col = kx < pad ? 0 : w - (kx - pad); col < (kx < pad ? pad - kx : w); col++) {
        NativeBlas.copy(len / w, null, 0, 0, in, (long) kx * len + col, w);
      }
    }
    return in;
  }

  /**
   * The band's operands: the k copies in native memory, channels {@code ld} apart (copy kx's
   * channel c is plane kx·cin/g + c); output rows [oy0, oy1) of the first sample, and
   * {@code before} values of earlier samples ahead of the last sample's rows; the result, n values
   * a channel.
   */
  private record Run(Pointer in, int ld, int oy0, int oy1, int before, Pointer out, int n) {}

  /**
   * out[r…, q) (+)= K_row(ky)[r…] · X over the output positions q whose input row oy + ky − p is
   * inside, or a zero row: from the first sample's row max(oy0, p − ky) to the last sample's row
   * min(oy1, h + p − ky).
   */
  private void kernelRow(Run b, int grp, int ky, int r, int tile, boolean accumulate) {
    int w = g.w();
    int lo = Math.max(b.oy0(), pad - ky) * w;
    int hi = b.before() + Math.min(b.oy1(), g.h() + pad - ky) * w;
    if (lo >= hi) {
      return;
    }
    int m = g.coutPerGroup();
    int depth = depth(g);
    NativeBlas.rawGemm(false, false, tile, hi - lo, depth, rows[grp], ((long) ky * m + r) * depth, depth,
        b.in(), lo + (long) (ky - pad) * w, b.ld(), b.out(), (long) r * b.n() + lo - (long) b.oy0() * w, b.n(),
        accumulate);
  }

  /**
   * The input as copy p holds it, in the thread's heap buffer (of the kernel's type): per channel,
   * each sample's image followed by p zero rows, channels {@code ld} apart.
   */
  private Object stage(NativeConv.Operands io, int s0, int samples, int grp, double[] right,
      NativeConv.Buffers buf, int ld) {
    int cpg = g.cinPerGroup();
    int len = g.h() * g.w();
    Object staged = fp32 ? buf.input32(cpg * ld) : buf.input64(cpg * ld);
    for (int c = 0; c < cpg; c++) {
      for (int s = 0; s < samples; s++) {
        int to = c * ld + s * unit;
        int from = io.xOff() + (s0 + s) * io.xStride() + (grp * cpg + c) * len;
        NativeConv.copyScaled(io.x(), from, right, (grp * cpg + c) * len, staged, to, len);
        NativeConv.zero(staged, to + len, to + unit);
      }
    }
    return staged;
  }
}
