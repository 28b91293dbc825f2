package org.implicit4j.linalg;

import org.bytedeco.javacpp.Pointer;

/**
 * A convolution as OpenBLAS GEMMs: per (sample, group, band of output rows), the im2col matrix of
 * the band (rows (c, ky, kx), columns output pixels) is written into a per-thread buffer and
 * multiplied by the group's kernel rows, y_band += K_g · col, in tiles small enough for OpenBLAS's
 * in-place kernels ({@link #bandRows}). Strided, 'valid' and many-channel convolutions take
 * {@link ShiftedConv}'s products over a phase layout of the input instead. Diagonal scalings diag(l)·conv·diag(r) (batch norm,
 * rescaling) are fused: r while converting the input, l while adding the product into y. The
 * (sample, band) jobs run on {@link Parallel}'s team; OpenBLAS itself runs one thread.
 */
final class NativeConv {
  /**
   * OpenBLAS pays from about this many multiply-adds per (sample, group): resnet2b's 8K-MAC 1×1
   * stride-2 layer ran in 53 µs a batch of 64 natively against 60 on the Java kernels (fp64), and
   * 39 against 142 on float32 states, which the Java kernels widen to double.
   */
  private static final long MIN_MACS = 1 << 12;

  /** Largest im2col band, in values, kept in a thread's buffer. */
  private static final long MAX_BAND = 1L << 22;

  /** A lone sample's convolution is split over the threads from this many multiply-adds. */
  private static final long PARALLEL_MACS = 1 << 20;

  /** Largest M·N·K that OpenBLAS multiplies with its small-matrix kernels (see {@link #bandRows}). */
  static final long SMALL_MNK = 1_000_000;

  private final ConvGeometry g;
  /** Per group, its kernel rows in native memory: FloatPointers when fp32, else DoublePointers. */
  private final Pointer[] kernels;
  private final boolean fp32;
  /** The forward product without im2col where the channels allow ({@link ShiftedConv#applies}), else null. */
  private final ShiftedConv shifted;

  /** Reused per worker thread: the im2col band and the GEMM result. */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  static final class Buffers {
    double[] col64 = new double[0];
    double[] out64 = new double[0];
    float[] col32 = new float[0];
    float[] out32 = new float[0];
    float[] in32 = new float[0];
    double[] in64 = new double[0];

    float[] input32(int len) {
      if (in32.length < len) {
        in32 = new float[len];
      }
      return in32;
    }

    double[] input64(int len) {
      if (in64.length < len) {
        in64 = new double[len];
      }
      return in64;
    }

    void ensure(int col, int out, boolean fp32) {
      if (fp32 && (col32.length < col || out32.length < out)) {
        col32 = new float[Math.max(col, col32.length)];
        out32 = new float[Math.max(out, out32.length)];
      } else if (!fp32 && (col64.length < col || out64.length < out)) {
        col64 = new double[Math.max(col, col64.length)];
        out64 = new double[Math.max(out, out64.length)];
      }
    }
  }

  /** @param kernel32 the float32 kernel, or null to compute in fp64 */
  NativeConv(ConvGeometry g, double[] kernel, float[] kernel32) {
    this.g = g;
    int len = g.coutPerGroup() * rows();
    fp32 = kernel32 != null;
    kernels = new Pointer[g.groups()];
    for (int grp = 0; grp < g.groups(); grp++) {
      kernels[grp] = fp32 ? NativeMemory.of(java.util.Arrays.copyOfRange(kernel32, grp * len, (grp + 1) * len))
          : NativeMemory.of(java.util.Arrays.copyOfRange(kernel, grp * len, (grp + 1) * len));
    }
    shifted = ShiftedConv.applies(g) ? new ShiftedConv(g, kernel, kernel32, kernels) : null;
  }

  static boolean worthIt(ConvGeometry g) {
    return NativeBlas.available()
        && (long) g.coutPerGroup() * g.cinPerGroup() * g.kh() * g.kw() * g.oh() * g.ow() >= MIN_MACS;
  }

  private int rows() {
    return g.cinPerGroup() * g.kh() * g.kw();
  }

  /**
   * y_s += diag(left)·K·diag(right) x_s for s in [0, batch); null scalings are the identity. x and y
   * are both double[], or both float[] (float32 states, for a float32 kernel only).
   */
  void multAdd(Object x, int xOff, int xStride, Object y, int yOff, int yStride, int batch, double[] left,
      double[] right) {
    Operands io = new Operands(x, xOff, xStride, y, yOff, yStride);
    int rows = bandHeight(batch);
    int bands = (g.oh() + rows - 1) / rows;
    int threads = Parallel.inLoop() ? 1 : Runtime.getRuntime().availableProcessors();
    int stacked = bands == 1 && shifted != null ? shifted.samplesPerBand(batch, threads) : 1;
    int slabs = (batch + stacked - 1) / stacked;
    // Jobs are (samples, band), taken by the threads as they come free. A lone sample below about a
    // million multiply-adds stays on this thread: the hand-off cost more than it saved (oval21 and
    // resnet2b at batch 1).
    long work = batch > 1 || g.macs() >= PARALLEL_MACS ? g.macs() * stacked / bands : 0;
    Parallel.forEach(slabs * bands, work, job -> {
      int s0 = job / bands * stacked;
      int oy0 = job % bands * rows;
      Band b = new Band(Math.min(stacked, batch - s0), oy0, Math.min(g.oh(), oy0 + rows));
      Buffers buf = BUFFERS.get();
      for (int grp = 0; grp < g.groups(); grp++) {
        if (shifted != null) {
          shifted.band(io, s0, b, grp, left, right, buf);
        } else {
          Object in = input(x, xOff + s0 * xStride, grp, right, buf, b.oy0(), b.oy1());
          band(in, y, yOff + s0 * yStride, grp, b.oy0(), b.oy1(), left, buf);
        }
      }
    });
  }

  /**
   * Output rows [oy0, oy1) of {@code samples} consecutive samples; several samples only over whole
   * images ({@link ShiftedConv#samplesPerBand}).
   */
  record Band(int samples, int oy0, int oy1) {
    int rows() {
      return oy1 - oy0;
    }
  }

  /** The operands of one product: x and y, both float[] or double[], with their offsets and per-sample strides. */
  record Operands(Object x, int xOff, int xStride, Object y, int yOff, int yStride) {}

  /**
   * A GEMM result to add into y: channel o's {@code rows} rows start at {@code offset + o·channelStride},
   * {@code rowStride} apart, of which the first ow values are outputs (the rest, a shifted product's
   * wide columns, are dropped).
   */
  record Wide(Object values, int offset, int channelStride, int rows, int rowStride) {}

  /**
   * Output rows per band: {@link #bandRows}, evened out over the image; when a lone sample is split
   * over the threads, a multiple of the thread count of bands, or one thread waits for the other.
   */
  private int bandHeight(int batch) {
    int threads = Runtime.getRuntime().availableProcessors();
    int bands = (g.oh() + bandRows() - 1) / bandRows();
    if (batch < threads && g.macs() >= PARALLEL_MACS) {
      bands = Math.min(g.oh(), (bands + threads - 1) / threads * threads);
    }
    return (g.oh() + bands - 1) / bands;
  }

  /**
   * Output rows per GEMM. OpenBLAS multiplies small matrices (M·N·K ≤ 10⁶) with kernels that work
   * on the operands in place, at about 250 GFLOP/s here against 70–170 for its packing kernels on
   * these shapes (Zen 5, SkylakeX kernels, one thread: 16×1024×144 at 72 GFLOP/s whole, 249 as
   * 16×416×144 bands; 64×64×576 at 168 whole, 257 as 16×64×576 tiles). So bands keep 16 output
   * channels × band pixels × K within 10⁶ where one output row allows it; otherwise bands are only
   * capped at {@link #MAX_BAND} im2col values, the buffer a thread holds.
   */
  private int bandRows() {
    long perRow = shifted != null ? shifted.valuesPerRow() : (long) rows() * g.ow();
    long memoryRows = Math.max(1, MAX_BAND / perRow);
    long smallRows = SMALL_MNK / (Math.min(g.coutPerGroup(), 16) * perRow);
    return (int) Math.min(g.oh(), smallRows >= 1 ? Math.min(smallRows, memoryRows) : memoryRows);
  }

  /** Output channels (of m) per GEMM of {@code cols} columns and depth k: within {@link #SMALL_MNK}, in 16s. */
  static int channelTile(int m, int cols, int k) {
    long fit = SMALL_MNK / ((long) cols * k);
    return fit >= m ? m : (int) Math.max(Math.min(m, 16), fit / 16 * 16);
  }

  private void band(Object in, Object y, int yo, int grp, int oy0, int oy1, double[] left, Buffers buf) {
    int cols = (oy1 - oy0) * g.ow();
    int m = g.coutPerGroup();
    int k = rows();
    int mt = channelTile(m, cols, k);
    buf.ensure(k * cols, m * cols, fp32);
    Object col = fp32 ? buf.col32 : buf.col64;
    Object result = fp32 ? buf.out32 : buf.out64;
    gather(in, col, oy0, oy1);
    NativeMemory mem = NativeMemory.scratch();
    Pointer colP = mem.in(0, col, k * cols);
    Pointer out = mem.values(1, (long) m * cols, fp32);
    for (int r = 0; r < m; r += mt) {
      NativeBlas.rawGemm(false, false, Math.min(mt, m - r), cols, k, kernels[grp], (long) r * k, k, colP, 0, cols,
          out, (long) r * cols, cols);
    }
    NativeMemory.get(out, result, m * cols);
    scatter(g, new Wide(result, 0, (oy1 - oy0) * g.ow(), oy1 - oy0, g.ow()), y, yo, grp, oy0, left);
  }

  /** First valid output column for a tap whose input column is ox·sw + shift (ceil(−shift/sw), ≥ 0). */
  private static int oxLow(int shift, int sw) {
    return shift >= 0 ? 0 : (-shift + sw - 1) / sw;
  }

  /** One past the last valid output column: ox·sw + shift ≤ w − 1. */
  private static int oxHigh(int shift, int sw, int w, int ow) {
    return w - 1 - shift < 0 ? 0 : Math.min(ow, (w - 1 - shift) / sw + 1);
  }

  /**
   * The group's input rows that output rows [oy0, oy1) read, in every channel, scaled by
   * {@code right} where given, as floats (fp32) or doubles at their own positions (index 0 = the
   * group's first channel). Other rows of the thread's buffer are stale and never read, so a band
   * converts only its own rows.
   */
  private Object input(Object x, int xo, int grp, double[] right, Buffers buf, int oy0, int oy1) {
    int plane = g.h() * g.w();
    int len = g.cinPerGroup() * plane;
    int first = grp * len;
    int iy0 = Math.max(0, oy0 * g.strideH() - g.padTop());
    int iy1 = Math.min(g.h(), (oy1 - 1) * g.strideH() - g.padTop() + (g.kh() - 1) * g.dilH() + 1);
    float[] f = fp32 ? buf.input32(len) : null;
    double[] d = fp32 ? null : buf.input64(len);
    for (int c = 0; c < g.cinPerGroup(); c++) {
      int from = c * plane + iy0 * g.w();
      int to = c * plane + iy1 * g.w();
      copyScaled(x, xo + first + from, right, first + from, fp32 ? f : d, from, to - from);
    }
    return fp32 ? f : d;
  }

  /** dst[to + i] = right[ro + i]·x[from + i] (right null: x), converted to dst's type. */
  static void copyScaled(Object x, int from, double[] right, int ro, Object dst, int to, int len) {
    if (right == null && x.getClass() == dst.getClass()) {
      System.arraycopy(x, from, dst, to, len);
      return;
    }
    float[] xf = x instanceof float[] a ? a : null;
    double[] xd = xf == null ? (double[]) x : null;
    float[] df = dst instanceof float[] a ? a : null;
    double[] dd = df == null ? (double[]) dst : null;
    for (int i = 0; i < len; i++) {
      double v = xf != null ? xf[from + i] : xd[from + i];
      v = right == null ? v : right[ro + i] * v;
      if (df != null) {
        df[to + i] = (float) v;
      } else {
        dd[to + i] = v;
      }
    }
  }

  /**
   * The band's im2col from the group's input (index 0 = its first channel), a float[] or double[]
   * like {@code in}: row (c, ky, kx) holds the taps over the band's output pixels, 0 in padding. Only
   * unit strides with as many output as input columns come here (the rest, and odd k×k 'same'
   * layers with 8+ output channels a group, are {@link ShiftedConv}'s): output row oy + 1 continues
   * row oy in both arrays,
   * so one copy covers all valid rows of an im2col row and only the padding between them is
   * cleared (for 3×3 'same' convolutions: one copy and a zero per row, not a copy per row).
   */
  private void gather(Object in, Object col, int oy0, int oy1) {
    int cols = (oy1 - oy0) * g.ow();
    int ow = g.ow();
    for (int c = 0; c < g.cinPerGroup(); c++) {
      for (int ky = 0; ky < g.kh(); ky++) {
        int off = ky * g.dilH() - g.padTop(); // iy = oy·sh + off
        int a = Math.max(oy0, ceilDiv(-off, g.strideH()));
        int b = Math.min(oy1, Math.floorDiv(g.h() - 1 - off, g.strideH()) + 1);
        for (int kx = 0; kx < g.kw(); kx++) {
          int r = ((c * g.kh() + ky) * g.kw() + kx) * cols;
          int shift = kx * g.dilW() - g.padLeft();
          int lo = oxLow(shift, g.strideW());
          int hi = oxHigh(shift, g.strideW(), g.w(), ow);
          if (lo >= hi || a >= b) {
            zero(col, r, r + cols);
            continue;
          }
          int src = (c * g.h() + a * g.strideH() + off) * g.w() + shift;
          int dst = r + (a - oy0) * ow;
          System.arraycopy(in, src + lo, col, dst + lo, (b - 1 - a) * ow + hi - lo);
          zero(col, r, dst + lo);
          zeroGaps(col, dst, b - a, ow, lo, hi);
          zero(col, r + (b - 1 - oy0) * ow + hi, r + cols);
        }
      }
    }
  }

  /**
   * Zeroes the padding between {@code rows} consecutive output rows from {@code dst}: columns
   * [hi, ow) of each row and [0, lo) of the next; a loop rather than Arrays.fill, as a gap is one or
   * two values (the call cost more than the stores).
   */
  private static void zeroGaps(Object col, int dst, int rows, int ow, int lo, int hi) {
    if (col instanceof float[] f) {
      for (int row = dst; row < dst + (rows - 1) * ow; row += ow) {
        for (int i = row + hi; i < row + ow + lo; i++) {
          f[i] = 0f;
        }
      }
    } else {
      double[] d = (double[]) col;
      for (int row = dst; row < dst + (rows - 1) * ow; row += ow) {
        for (int i = row + hi; i < row + ow + lo; i++) {
          d[i] = 0.0;
        }
      }
    }
  }

  private static int ceilDiv(int p, int q) {
    return -Math.floorDiv(-p, q);
  }

  /** col[from, to) = 0. */
  static void zero(Object col, int from, int to) {
    // Mostly a value or two (a row's padding): a loop; Arrays.fill's call cost more than the stores
    // (it was 20% of resnet2b's Java time in 55,000 calls a solve).
    if (col instanceof float[] f) {
      for (int i = from; i < to; i++) {
        f[i] = 0f;
      }
    } else {
      double[] d = (double[]) col;
      for (int i = from; i < to; i++) {
        d[i] = 0.0;
      }
    }
  }

  /** One run of taps: input index src + ox·sw (within the group) meets im2col index dst + ox, ox ∈ [lo, hi). */
  @FunctionalInterface
  private interface TapRun {
    void run(int src, int dst, int lo, int hi);
  }

  /** Every run of the band [oy0, oy1): per im2col row (c, ky, kx) and output row, the taps inside the input. */
  private void forEachRun(int oy0, int oy1, TapRun each) {
    int cols = (oy1 - oy0) * g.ow();
    int h = g.h(), w = g.w(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sw = g.strideW();
    for (int c = 0; c < g.cinPerGroup(); c++) {
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          int r = ((c * kh + ky) * kw + kx) * cols;
          int shift = kx * g.dilW() - g.padLeft();
          int lo = oxLow(shift, sw);
          int hi = oxHigh(shift, sw, w, ow);
          for (int oy = oy0; oy < oy1 && lo < hi; oy++) {
            int iy = oy * g.strideH() - g.padTop() + ky * g.dilH();
            if (iy >= 0 && iy < h) {
              each.run((c * h + iy) * w + shift, r + (oy - oy0) * ow, lo, hi);
            }
          }
        }
      }
    }
  }

  /**
   * y_s += diag(right)·Kᵀ·diag(left) x_s (the adjoint: x in output space, y in input space): per
   * (sample, group) one GEMM K_gᵀ·x_g into the im2col shape, then col2im adds each tap back to the
   * input pixel it came from. Samples run in parallel; one sample runs on the calling thread.
   */
  void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch, double[] left,
      double[] right) {
    Parallel.forEach(batch, g.macs(), s -> {
      for (int grp = 0; grp < g.groups(); grp++) {
        transposed(x, xOff + s * xStride, y, yOff + s * yStride, grp, left, right);
      }
    });
  }

  private void transposed(double[] x, int xo, double[] y, int yo, int grp, double[] left, double[] right) {
    int plane = g.oh() * g.ow();
    int m = g.coutPerGroup();
    int k = rows();
    int first = grp * m * plane;
    Buffers buf = BUFFERS.get();
    buf.ensure(k * plane, m * plane, fp32);
    for (int i = 0; i < m * plane; i++) {
      double v = left == null ? x[xo + first + i] : left[first + i] * x[xo + first + i];
      if (fp32) {
        buf.out32[i] = (float) v;
      } else {
        buf.out64[i] = v;
      }
    }
    NativeMemory mem = NativeMemory.scratch();
    Pointer in = mem.in(1, fp32 ? buf.out32 : buf.out64, m * plane);
    Pointer col = mem.values(0, (long) k * plane, fp32);
    NativeBlas.rawGemm(true, false, k, plane, m, kernels[grp], 0, k, in, 0, plane, col, 0, plane);
    Object cols = fp32 ? buf.col32 : buf.col64;
    NativeMemory.get(col, cols, k * plane);
    col2im(cols, y, yo, grp, right);
  }

  /** y[input pixel] += right ⊙ Σ of the im2col entries that read it. */
  private void col2im(Object col, double[] y, int yo, int grp, double[] right) {
    float[] c32 = col instanceof float[] f ? f : null;
    double[] c64 = c32 == null ? (double[]) col : null;
    int base = grp * g.cinPerGroup() * g.h() * g.w();
    int sw = g.strideW();
    forEachRun(0, g.oh(), (src, dst, lo, hi) -> {
      for (int ox = lo; ox < hi; ox++) {
        int at = base + src + ox * sw;
        double v = c32 != null ? c32[dst + ox] : c64[dst + ox];
        y[yo + at] += right == null ? v : right[at] * v;
      }
    });
  }

  /**
   * y[channel, rows from oy0] += left ⊙ out for the group's output channels, out a float[] or
   * double[] {@link Wide}.
   */
  static void scatter(ConvGeometry g, Wide out, Object y, int yo, int grp, int oy0, double[] left) {
    if (y instanceof float[] yf) {
      scatterFloat(g, out, yf, yo, grp, oy0, left);
      return;
    }
    float[] f = out.values() instanceof float[] a ? a : null;
    double[] d = f == null ? (double[]) out.values() : null;
    double[] yd = (double[]) y;
    int plane = g.oh() * g.ow();
    int ow = g.ow();
    boolean dense = out.rowStride() == ow; // then a channel's rows are one run
    int runs = dense ? 1 : out.rows();
    int len = dense ? out.rows() * ow : ow;
    for (int o = 0; o < g.coutPerGroup(); o++) {
      for (int r = 0; r < runs; r++) {
        int at = (grp * g.coutPerGroup() + o) * plane + (oy0 + r) * ow;
        int src = out.offset() + o * out.channelStride() + r * out.rowStride();
        // The type and scaling tests are loop-invariant: the JIT unswitches them out of the loop.
        for (int j = 0; j < len; j++) {
          double v = f != null ? f[src + j] : d[src + j];
          yd[yo + at + j] += left == null ? v : left[at + j] * v;
        }
      }
    }
  }

  /**
   * {@link #scatter} into float32 states. Without a scaling, each channel's wide rows are first
   * compacted in out (moved forward in place) and added as one staged run.
   */
  private static void scatterFloat(ConvGeometry g, Wide wide, float[] y, int yo, int grp, int oy0, double[] left) {
    float[] out = (float[]) wide.values();
    int plane = g.oh() * g.ow();
    int ow = g.ow();
    int rows = wide.rows();
    int stride = wide.rowStride();
    if (left == null && stride == ow && rows == g.oh() && wide.channelStride() == plane) {
      // whole compact images: the group's channels are one run in y as in out
      StagedAdd.add(y, yo + grp * g.coutPerGroup() * plane, out, wide.offset(), g.coutPerGroup() * plane);
      return;
    }
    for (int o = 0; o < g.coutPerGroup(); o++) {
      int at = (grp * g.coutPerGroup() + o) * plane + oy0 * ow;
      int from = wide.offset() + o * wide.channelStride();
      if (left == null) {
        for (int r = 1; r < rows && stride != ow; r++) {
          System.arraycopy(out, from + r * stride, out, from + r * ow, ow);
        }
        StagedAdd.add(y, yo + at, out, from, rows * ow);
        continue;
      }
      for (int r = 0; r < rows; r++) {
        int src = from + r * stride;
        int dst = at + r * ow;
        for (int j = 0; j < ow; j++) {
          y[yo + dst + j] += (float) (left[dst + j] * out[src + j]);
        }
      }
    }
  }
}
