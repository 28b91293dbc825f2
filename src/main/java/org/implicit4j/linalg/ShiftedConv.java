package org.implicit4j.linalg;

import org.bytedeco.javacpp.Pointer;

/**
 * A convolution over a phase layout of its input: one GEMM per kernel tap reading the layout where
 * it lies instead of through an im2col copy k_h·k_w times its size, or, for few channels, one GEMM
 * over a "wide im2col" whose rows are single copies from the layout ({@link #wideBand}):
 * y[o, oy, ox] = Σ_(ky,kx) Σ_c K[o, c, ky, kx] · P[c, oy·s_h + ky·d_h, ox·s_w + kx·d_w], P the padded input.
 * P is laid out by phase: Q[(py, px), c, i, j] = P[c, i·s_h + py, j·s_w + px], rows Wq = ow + ⌊(k_w−1)d_w/s_w⌋
 * wide. Tap (ky, kx) then reads phase ((ky·d_h) mod s_h, (kx·d_w) mod s_w) at the fixed offset
 * (⌊ky·d_h/s_h⌋, ⌊kx·d_w/s_w⌋), so over the "wide" output grid (oy, ox &lt; Wq) its operand is a
 * contiguous run per channel: the product K_tap (cout × cin) · Q_run (cin × oh·Wq) with leading
 * dimension the phase plane, accumulated over the taps (β = 1) into a wide result whose last
 * Wq − ow columns of each row are discarded. Building Q is one pass over the input; the products
 * run at OpenBLAS's small-matrix speed (measured on Zen 5: 187–201 GFLOP/s for ResNet-20's 3×3 layers,
 * where the im2col GEMM reached 133–220 before counting the copy). On small images a band holds
 * several samples, their layouts one after another ({@link #samplesPerBand}); odd k×k 'same'
 * layers need no layout at all ({@link UnpaddedConv}).
 */
final class ShiftedConv {
  /** Input channels per group from which one GEMM per tap beats the im2col GEMM with its k_h·k_w-fold K. */
  static final int MIN_CHANNELS = 8;

  /**
   * Multiply-adds of one tap's product from which it pays: below, the k_h·k_w calls cost more than
   * the im2col copy they save (resnet2b's 16×80×16 taps on 8×8 images ran 5% slower; ResNet-20's
   * 278K–327K-MAC taps 10–13% faster).
   */
  static final long MIN_TAP_MACS = 1 << 16;

  /**
   * Samples whose whole-image products must fit in one small-matrix product for bands to stack them
   * ({@link #samplesPerBand}). Measured on one thread, 16 samples: resnet2b's 8×8 layers (25.6K
   * multiply-adds a tile a sample) 84 → 54 µs stacked; ResNet-20's 64-channel 8×8 layers (102K) 490
   * → 580 µs, so larger products stay one sample a band.
   */
  static final int STACKED = 16;

  private final ConvGeometry g;
  private final boolean fp32;
  /** One product per tap; else the "wide im2col" of few channels (see {@link #wideBand}). */
  private final boolean perTap;
  /** Per group in native memory: per tap, the kernels [tap][cout/g][cin/g]; else the kernel rows (cout/g, (c, ky, kx)). */
  private final Pointer[] kernels;
  /** Width of a phase row and of the wide output rows. */
  final int wq;
  /** Phase rows a band's taps read beyond its output rows: ⌊(k_h − 1)·d_h / s_h⌋. */
  private final int halo;
  /** Whether bands may stack several samples' whole images ({@link #samplesPerBand}). */
  private final boolean stacking;
  /** Compact index of phase (py, px) at py·s_w + px, or −1 when no tap reads it (a 1×1 stride-2 kernel reads one of four). */
  private final int[] phaseIndex;
  private final int phases;
  /** The products of an {@link #unpadded} convolution, one per kernel row straight from its input, or null. */
  private final UnpaddedConv unpadded;
  /** The products' depth K ({@link #depth(ConvGeometry)}). */
  private final int depth;
  /** The bands' phase layouts, their padding written once (see {@link BandBuffers}). */
  private final BandBuffers layouts = new BandBuffers();

  /** @param rows the group's kernel rows (cout/g, (c, ky, kx)) in native memory, as the im2col GEMM reads them */
  ShiftedConv(ConvGeometry g, double[] kernel, float[] kernel32, Pointer[] rows) {
    this.g = g;
    this.fp32 = kernel32 != null;
    this.perTap = perTap(g);
    this.wq = wq(g);
    this.halo = halo(g);
    this.stacking = stacks(g);
    this.phaseIndex = new int[g.strideH() * g.strideW()];
    java.util.Arrays.fill(phaseIndex, -1);
    int used = 0;
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++) {
        int ph = phaseOf(ky, kx);
        if (phaseIndex[ph] < 0) {
          phaseIndex[ph] = used++;
        }
      }
    }
    this.phases = used;
    this.unpadded = unpadded(g) ? new UnpaddedConv(g, kernel, kernel32) : null;
    this.depth = depth(g);
    this.kernels = new Pointer[g.groups()];
    for (int grp = 0; grp < g.groups(); grp++) { // an UnpaddedConv keeps its own kernel rows
      kernels[grp] = !perTap || unpadded != null ? rows[grp]
          : permuted(kernel, kernel32, kernelOrder(g, grp, false));
    }
  }

  /**
   * Convolutions this class multiplies: those with enough channels for one product per tap, those
   * whose im2col rows are not single copies of the input (strided, or fewer output than input
   * columns), where copying from the phase layout replaces a tap-by-tap gather (oval21's 4×4
   * stride-2 layers ran at 45–63 GFLOP/s on that gather), and the {@link #unpadded} ones.
   */
  static boolean applies(ConvGeometry g) {
    return perTap(g) || reshapes(g) || unpadded(g);
  }

  /** Strided or with fewer output than input columns: the plain im2col's rows are not single copies. */
  private static boolean reshapes(ConvGeometry g) {
    return g.strideH() > 1 || g.strideW() > 1 || g.w() != g.ow();
  }

  /**
   * One product per tap: enough channels, and enough multiply-adds per tap or samples stacked. With
   * stacked samples, 8 channels pay only where the plain im2col cannot copy rows (oval21's stride-2
   * layer 75 → 69 µs for 16 samples; mnist8's 'same' 5×5 layer 222 → 247 µs as 25 taps of depth 8).
   */
  static boolean perTap(ConvGeometry g) {
    int c = g.cinPerGroup();
    return c >= MIN_CHANNELS && ((long) g.coutPerGroup() * g.oh() * g.ow() * c >= MIN_TAP_MACS
        || (reshapes(g) || c >= 2 * MIN_CHANNELS) && stacks(g, c));
  }

  /**
   * Whether the products run straight from the unpadded input, one per kernel row
   * ({@link UnpaddedConv}): every odd k×k 'same' convolution with 8 or more output channels a group.
   * Its k shifted copies replace the im2col's k² (mnist8's 8 → 16-channel 5×5 layer 216 → 118 µs for
   * 16 samples on one thread, ResNet-20's 3 → 16-channel input layer 185–199 → 147 µs); with fewer
   * output channels (depthwise) each product would be a row or two.
   */
  static boolean unpadded(ConvGeometry g) {
    return UnpaddedConv.applies(g) && g.coutPerGroup() >= MIN_CHANNELS;
  }

  /** Whether bands stack samples: a whole image's products are small ({@link #STACKED} of them fit). */
  static boolean stacks(ConvGeometry g) {
    return applies(g) && stacks(g, depth(g), valuesPerSample(g));
  }

  /** The products' depth K: a kernel row's (unpadded), a tap's (per tap), or the whole kernel's (wide im2col). */
  static int depth(ConvGeometry g) {
    return unpadded(g) ? UnpaddedConv.depth(g) : perTap(g) ? g.cinPerGroup() : g.cinPerGroup() * g.kh() * g.kw();
  }

  /** Product columns a sample adds to a band of whole images: its image and zero rows, or its layout rows. */
  static long valuesPerSample(ConvGeometry g) {
    return unpadded(g) ? UnpaddedConv.valuesPerSample(g) : (long) (g.oh() + halo(g)) * wq(g);
  }

  private static boolean stacks(ConvGeometry g, int depth) {
    return stacks(g, depth, (long) (g.oh() + halo(g)) * wq(g));
  }

  private static boolean stacks(ConvGeometry g, int depth, long valuesPerSample) {
    return (long) Math.min(g.coutPerGroup(), 16) * depth * valuesPerSample * STACKED <= NativeConv.SMALL_MNK;
  }

  private static int wq(ConvGeometry g) {
    return g.ow() + (g.kw() - 1) * g.dilW() / g.strideW();
  }

  private static int halo(ConvGeometry g) {
    return (g.kh() - 1) * g.dilH() / g.strideH();
  }

  /** Products' K·N per output row of a band: what {@link NativeConv#SMALL_MNK} tiles are cut by. */
  long valuesPerRow() {
    return (long) depth * (unpadded != null ? g.w() : wq);
  }

  private int phaseOf(int ky, int kx) {
    return (ky * g.dilH() % g.strideH()) * g.strideW() + kx * g.dilW() % g.strideW();
  }

  /** A native copy of the kernel's entries in the given order: kernel32[from[i]] (fp32) or kernel[from[i]]. */
  static Pointer permuted(double[] kernel, float[] kernel32, int[] from) {
    if (kernel32 != null) {
      float[] t = new float[from.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = kernel32[from[i]];
      }
      return NativeMemory.of(t);
    }
    double[] t = new double[from.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = kernel[from[i]];
    }
    return NativeMemory.of(t);
  }

  /**
   * For each entry of group grp's kernel as taps [ky·k_w + kx][o][c] (rows = false) or as kernel
   * rows [ky][o][kx][c] (rows = true), its index in the (cout, cin/g, k_h, k_w) kernel.
   */
  static int[] kernelOrder(ConvGeometry g, int grp, boolean rows) {
    int m = g.coutPerGroup();
    int c = g.cinPerGroup();
    int kh = g.kh();
    int kw = g.kw();
    int[] from = new int[kh * kw * m * c];
    for (int ky = 0; ky < kh; ky++) {
      for (int kx = 0; kx < kw; kx++) {
        for (int o = 0; o < m; o++) {
          for (int ci = 0; ci < c; ci++) {
            int at = rows ? ((ky * m + o) * kw + kx) * c + ci : (((ky * kw + kx) * m + o) * c + ci);
            from[at] = (((grp * m + o) * c + ci) * kh + ky) * kw + kx;
          }
        }
      }
    }
    return from;
  }

  /**
   * Samples whose whole images make one band: on small images a sample's products are too small
   * for OpenBLAS to pay its call costs (resnet2b's 8×8 layers), so several samples' phase layouts
   * are stacked and multiplied at once. Sample s's layout rows follow sample s − 1's, and a tap's
   * run continues from one into the next; the product columns where it crosses (the {@code halo}
   * rows after each sample's outputs) are dropped like the wide columns. An odd k×k 'same' layer
   * stacks its unpadded images instead, (k − 1)/2 zero rows apart ({@link UnpaddedConv}: resnet2b's
   * 8×8 layers 53 → 37 µs for 16 samples on one thread, no halo rows or wide columns). One sample where the
   * convolution is not {@link #stacks small}; at most an even share of the batch per thread when
   * the cores are free.
   */
  int samplesPerBand(int batch, int threads) {
    if (!stacking) {
      return 1;
    }
    long perSample = valuesPerSample(g);
    long fit = Math.min(NativeConv.SMALL_MNK / (Math.min(g.coutPerGroup(), 16) * depth * perSample),
        BandBuffers.MAX_VALUES / ((long) phases * g.cinPerGroup() * perSample) - 1);
    int share = (batch + threads - 1) / threads;
    return (int) Math.max(1, Math.min(fit, share));
  }

  /**
   * y_band += diag(left)·K_grp·diag(right)·x over one band, for samples s0, s0 + 1, …: the band's
   * phase layout, its products into the wide result (channel tiles of {@code mt}), then the valid
   * columns added into y.
   */
  void band(NativeConv.Operands io, int s0, NativeConv.Band b, int grp, double[] left, double[] right,
      NativeConv.Buffers buf) {
    if (unpadded != null) {
      unpadded.band(io, s0, b.samples(), grp, b.oy0(), b.oy1(), left, right, buf);
      return;
    }
    int per = b.rows() + halo;
    int planeRows = b.samples() * per + 1; // and the row the last tap's run overruns into
    int len = phases * g.cinPerGroup() * planeRows * wq;
    BandBuffers.Slot kept = layouts.slot((long) b.samples() << 42 | (long) b.oy0() << 21 | b.oy1(), len, fp32);
    Object layout = kept != null ? kept.values : fp32 ? buf.input32(len) : buf.input64(len);
    fill(io, s0, b, grp, right, planeRows, layout, kept != null && kept.clean);
    int m = g.coutPerGroup();
    int n = ((b.samples() - 1) * per + b.rows()) * wq;
    int mt = NativeConv.channelTile(m, n, depth);
    buf.ensure(perTap ? 0 : depth * n, m * n, fp32); // the per-tap products need no im2col
    NativeMemory mem = NativeMemory.scratch();
    Pointer out = mem.values(1, (long) m * n, fp32);
    if (perTap) {
      tapProducts(mem.in(0, layout, len), grp, planeRows, n, mt, out);
    } else {
      wideBand(layout, grp, planeRows, n, mt, buf, out);
    }
    Object result = fp32 ? buf.out32 : buf.out64;
    NativeMemory.get(out, result, m * n);
    for (int s = 0; s < b.samples(); s++) {
      NativeConv.scatter(g, new NativeConv.Wide(result, s * per * wq, n, b.rows(), wq), io.y(),
          io.yOff() + (s0 + s) * io.yStride(), grp, b.oy0(), left);
    }
  }

  /** Offset in the band's layout of tap (ky, kx)'s run over channel c: its phase plane, shifted. */
  private int tapOffset(int c, int ky, int kx, int planeRows) {
    int plane = (phaseIndex[phaseOf(ky, kx)] * g.cinPerGroup() + c) * planeRows;
    return (plane + ky * g.dilH() / g.strideH()) * wq + kx * g.dilW() / g.strideW();
  }

  /** out = Σ_tap K_tap · Q_tap: one product per tap reading the layout in place (β = 1 after the first). */
  private void tapProducts(Pointer in, int grp, int planeRows, int n, int mt, Pointer out) {
    int m = g.coutPerGroup();
    int cpg = g.cinPerGroup();
    for (int r = 0; r < m; r += mt) {
      int rows = Math.min(mt, m - r);
      for (int ky = 0; ky < g.kh(); ky++) {
        for (int kx = 0; kx < g.kw(); kx++) {
          int tap = ky * g.kw() + kx;
          NativeBlas.rawGemm(false, false, rows, n, cpg, kernels[grp], ((long) tap * m + r) * cpg, cpg, in,
              tapOffset(0, ky, kx, planeRows), planeRows * wq, out, (long) r * n, n, tap > 0);
        }
      }
    }
  }

  /**
   * out = K · col with col the wide im2col: row (c, ky, kx) is the tap's run over the wide grid, one
   * contiguous copy from the layout (an im2col of strided taps gathered one value at a time).
   */
  private void wideBand(Object layout, int grp, int planeRows, int n, int mt, NativeConv.Buffers buf, Pointer out) {
    int k = depth;
    Object col = fp32 ? buf.col32 : buf.col64;
    for (int c = 0; c < g.cinPerGroup(); c++) {
      for (int ky = 0; ky < g.kh(); ky++) {
        for (int kx = 0; kx < g.kw(); kx++) {
          System.arraycopy(layout, tapOffset(c, ky, kx, planeRows), col, ((c * g.kh() + ky) * g.kw() + kx) * n, n);
        }
      }
    }
    Pointer colP = NativeMemory.scratch().in(0, col, k * n);
    int m = g.coutPerGroup();
    for (int r = 0; r < m; r += mt) {
      NativeBlas.rawGemm(false, false, Math.min(mt, m - r), n, k, kernels[grp], (long) r * k, k, colP, 0, n, out,
          (long) r * n, n);
    }
  }

  /**
   * The band's phase layout: [phase][c][s·(rows + halo) + i][j] = right ⊙ x_(s0+s) at input row
   * (oy0 + i)·s_h + py − padTop, column j·s_w + px − padLeft, and 0 outside the input. Unless
   * {@code clean} (a kept buffer that holds this band's zeros already) every value is written, so
   * old contents never leak in.
   */
  private void fill(NativeConv.Operands io, int s0, NativeConv.Band b, int grp, double[] right, int planeRows,
      Object layout, boolean clean) {
    float[] f = fp32 ? (float[]) layout : null;
    double[] d = fp32 ? null : (double[]) layout;
    int cpg = g.cinPerGroup();
    int planeIn = g.h() * g.w();
    int first = grp * cpg * planeIn;
    int per = b.rows() + halo;
    for (int py = 0; py < g.strideH(); py++) {
      if (clean && right == null && f != null && io.x() instanceof float[] x && g.strideW() == 2
          && phaseIndex[2 * py] >= 0 && phaseIndex[2 * py + 1] >= 0) {
        splitColumns(x, io, s0, b, first, py, planeRows, f);
        continue;
      }
      for (int px = 0; px < g.strideW(); px++) {
        int ph = phaseIndex[py * g.strideW() + px];
        if (ph < 0) {
          continue;
        }
        int jlo = Math.max(0, ceilDiv(g.padLeft() - px, g.strideW()));
        int jhi = Math.min(wq, Math.floorDiv(g.w() - 1 + g.padLeft() - px, g.strideW()) + 1);
        for (int c = 0; c < cpg; c++) {
          for (int s = 0; s < b.samples(); s++) {
            int xo = io.xOff() + (s0 + s) * io.xStride();
            int rows = s == b.samples() - 1 ? per + 1 : per;
            for (int i = 0; i < rows; i++) {
              int ir = (b.oy0() + i) * g.strideH() + py - g.padTop();
              int dst = ((ph * cpg + c) * planeRows + s * per + i) * wq;
              boolean inside = ir >= 0 && ir < g.h() && jlo < jhi;
              if (!clean) {
                pads(f, d, dst, inside ? jlo : wq, inside ? jhi : wq);
              }
              if (inside) { // src + j·s_w is column j's input
                values(io.x(), xo, right, first + c * planeIn + ir * g.w() + px - g.padLeft(), jlo, jhi, f, d, dst);
              }
            }
          }
        }
      }
    }
  }

  /**
   * The inputs of phases (py, 0) and (py, 1) of a kept layout, for stride 2 across, float states
   * and no scaling: each input row is read once and its even and odd columns written to the two
   * phase rows in one loop. Phase px's column j reads input column 2j + px − padLeft, so input
   * column 2t lands in phase padLeft mod 2 at j = t + ⌊padLeft/2⌋, and 2t + 1 in the other at j =
   * t + ⌈padLeft/2⌉. One pass instead of a gather per phase row (oval21's and resnet2b's stride-2
   * layers, whose rows hold 8–17 values: the per-row costs were most of the fill).
   */
  private void splitColumns(float[] x, NativeConv.Operands io, int s0, NativeConv.Band b, int first, int py, int planeRows,
      float[] f) {
    int cpg = g.cinPerGroup();
    int even = g.padLeft() & 1;
    int[] phase = {phaseIndex[2 * py + even], phaseIndex[2 * py + 1 - even]};
    int[] off = {g.padLeft() >> 1, (g.padLeft() + 1) >> 1};
    int[] count = new int[2]; // columns t of each: j = t + off below the phase row's end
    for (int k = 0; k < 2; k++) {
      int px = k == 0 ? even : 1 - even;
      count[k] = Math.min(wq, Math.floorDiv(g.w() - 1 + g.padLeft() - px, 2) + 1) - off[k];
    }
    int per = b.rows() + halo;
    for (int c = 0; c < cpg; c++) {
      for (int s = 0; s < b.samples(); s++) {
        int rows = s == b.samples() - 1 ? per + 1 : per;
        int xo = io.xOff() + (s0 + s) * io.xStride() + first + c * g.h() * g.w();
        for (int i = 0; i < rows; i++) {
          int ir = (b.oy0() + i) * g.strideH() + py - g.padTop();
          if (ir >= 0 && ir < g.h()) {
            int row = (c * planeRows + s * per + i) * wq;
            split(x, xo + ir * g.w(), f, (phase[0] * cpg * planeRows) * wq + row + off[0], count[0],
                (phase[1] * cpg * planeRows) * wq + row + off[1], count[1]);
          }
        }
      }
    }
  }

  /** a[t] = x[src + 2t] for t &lt; na, b[t] = x[src + 2t + 1] for t &lt; nb, a and b both in f. */
  private static void split(float[] x, int src, float[] f, int a, int na, int b, int nb) {
    int both = Math.min(na, nb);
    for (int t = 0; t < both; t++) {
      f[a + t] = x[src + 2 * t];
      f[b + t] = x[src + 2 * t + 1];
    }
    for (int t = both; t < na; t++) {
      f[a + t] = x[src + 2 * t];
    }
    for (int t = both; t < nb; t++) {
      f[b + t] = x[src + 2 * t + 1];
    }
  }

  /**
   * Zeroes a phase row's padding: [0, lo) and [max(lo, hi), wq). Loops, not Arrays.fill: a pad is
   * a value or two, and the call cost more than the stores.
   */
  private void pads(float[] f, double[] d, int dst, int lo, int hi) {
    for (int j = 0; j < lo; j++) {
      if (f != null) {
        f[dst + j] = 0f;
      } else {
        d[dst + j] = 0.0;
      }
    }
    for (int j = Math.max(lo, hi); j < wq; j++) {
      if (f != null) {
        f[dst + j] = 0f;
      } else {
        d[dst + j] = 0.0;
      }
    }
  }

  /** A phase row's inputs: layout[dst + j] = right ⊙ x[src + j·s_w] for j in [jlo, jhi). */
  private void values(Object xs, int xo, double[] right, int src, int jlo, int jhi, float[] f, double[] d, int dst) {
    int sw = g.strideW();
    if (xs instanceof float[] x) { // float states, a float32 kernel
      if (sw == 1 && right == null) {
        System.arraycopy(x, xo + src + jlo, f, dst + jlo, jhi - jlo);
        return;
      }
      for (int j = jlo; j < jhi; j++) {
        int at = src + j * sw;
        f[dst + j] = right == null ? x[xo + at] : (float) (right[at] * x[xo + at]);
      }
      return;
    }
    double[] x = (double[]) xs;
    for (int j = jlo; j < jhi; j++) {
      int at = src + j * sw;
      double v = right == null ? x[xo + at] : right[at] * x[xo + at];
      if (f != null) {
        f[dst + j] = (float) v;
      } else {
        d[dst + j] = v;
      }
    }
  }

  private static int ceilDiv(int p, int q) {
    return -Math.floorDiv(-p, q);
  }
}
