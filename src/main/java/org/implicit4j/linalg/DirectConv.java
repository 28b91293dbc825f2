package org.implicit4j.linalg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Convolutions (float32 and fp64) run directly, in C (src/main/c/implicit4j_conv.c, built by Maven
 * where gcc is present): y_s += K * x_s with the input read in place and each block of output
 * pixels kept as vectors of output channels in registers, the blocks sized per instruction set.
 *
 * <p>With AVX-512, the strided layers: a strided layer of a small image is 50K–150K multiply-adds a
 * sample, too small for a GEMM to pay for its layout (the stride-2 phase split runs at 0.22 ns a
 * value in Java and as slowly in OpenBLAS's strided copy). Measured on Zen 5, one thread, µs a
 * sample, the GEMM path → this one: oval21's 3→8 4×4 stride-2 layer 4.56 → 3.0, its 8→16 4.08 →
 * 2.3; resnet2b's 3→8 3×3 stride-2 3.64 → 2.1, its 8→16 3.19 → 1.5. Its stride-1 layers stay GEMMs
 * (OpenBLAS's SkylakeX small-matrix kernels, 137–270 GFLOP/s). Without AVX-512 every undilated
 * layer runs here (a grouped one a group at a time), since OpenBLAS packs both operands at every
 * small GEMM call there, its 3×3 stride-1 layers of 16+ channels as Winograd F(2×2, 3×3) (in
 * float32, those of 16–31 channels only on images above 16×16); depthwise layers run here on every
 * instruction set, channel by channel: see {@link #suits}, {@link #winograd} and {@link #depthwise}.
 *
 * <p>The library is a resource of the jar for linux-x86_64; elsewhere, or when it was not built,
 * or with {@code -Dimplicit4j.native=false}, {@link #available} is false and nothing changes. It
 * also serves {@link NativeBlas}'s dense tiles in place, which this class loads it for.
 */
final class DirectConv {
  /** A sample's convolution is split over threads from this many multiply-adds (when samples are fewer than threads). */
  private static final long SPLIT_MACS = 1 << 20;
  /** Input and output channels from which a 3×3 stride-1 layer runs as Winograd ({@link #winograd}). */
  static final int WINOGRAD_MIN_CHANNELS = 16;
  /**
   * Output pixels up to which a float32 layer of fewer than twice {@link #WINOGRAD_MIN_CHANNELS}
   * channels stays direct (16×16).
   */
  static final int WINOGRAD_SMALL_IMAGE = 256;

  private final ConvGeometry g;
  /**
   * The geometry as the C side reads it, in the order of its enum (CIN … DEPTHWISE): of one group
   * when the layer has several groups of several channels (each group runs as a convolution of its
   * own channels), else of the layer.
   */
  private final int[] geo;
  /**
   * Per group run from Java (one unless grouped), its kernel, output channel fastest: [ci][ky][kx][co],
   * co padded with zero channels to a vector multiple, or a depthwise layer's as ONNX stores it; a
   * float[] (float32 states) or a double[] (fp64 states).
   */
  private final Object[] packed;

  /** For float32 states (the kernel rounded to float, as Conv2d's float32 kernel) or fp64 states. */
  DirectConv(ConvGeometry g, double[] kernel, boolean fp32) {
    this(g, kernel, fp32, winograd(g, fp32));
  }

  /**
   * As above, Winograd or not as told, so that tests run small layers both ways; Winograd needs
   * {@link #winogradShape}.
   */
  DirectConv(ConvGeometry g, double[] kernel, boolean fp32, boolean winograd) {
    if (winograd && !winogradShape(g)) {
      throw new IllegalArgumentException("Winograd F(2x2, 3x3) needs a 3x3 stride-1 layer of one group: " + g);
    }
    this.g = g;
    boolean depthwise = depthwise(g);
    ConvGeometry one = depthwise ? g : oneGroup(g);
    int co = depthwise ? g.cout() : winograd ? winogradChannels(g.cout()) : lanes(one.cout(), fp32);
    this.geo = new int[] {one.cin(), g.h(), g.w(), one.cout(), co, g.kh(), g.kw(), g.strideH(), g.strideW(),
        g.padTop(), g.padLeft(), g.oh(), g.ow(), depthwise ? 1 : 0, winograd ? 1 : 0};
    int groups = depthwise ? 1 : g.groups();
    int size = kernel.length / groups;
    this.packed = new Object[groups];
    for (int grp = 0; grp < groups; grp++) {
      double[] k = java.util.Arrays.copyOfRange(kernel, grp * size, (grp + 1) * size);
      // depthwise: ONNX's [c][ky][kx] as it is
      double[] p = depthwise ? k : winograd ? winogradKernel(one, k, co) : pack(one, k, co);
      packed[grp] = fp32 ? Floats.rounded(p) : p;
    }
  }

  /**
   * Whether the layer runs as Winograd F(2×2, 3×3) (Lavin and Gray 2016, §4.1; the C library's
   * WINO_KERNEL): {@link #winogradShape} with at least {@link #WINOGRAD_MIN_CHANNELS} input and output
   * channels. A tile of 2×2 output pixels costs 16 multiply-adds a channel pair instead of 36; the
   * input and output transforms cost a few additions a tile and channel, which the products outweigh
   * only with enough channels. Zen 3, one thread, one sample, kcycles direct → Winograd, float32 and
   * fp64: 8×8 64→64 172 → 89, 328 → 157; 16×16 32→32 147 → 103, 282 → 203; 32×32 16→16 188 → 134,
   * 281 → 264; 8×8 16→16 10 → 10–11, 23 → 18; below 16 channels it loses (16×16 8→16 20 → 23, 41 →
   * 43; 32×32 8→8 41 → 51, 86 → 102). In a whole solve a float32 layer of 16–31 channels on an image
   * of up to 16×16 ({@link #WINOGRAD_SMALL_IMAGE}) loses too, its transforms' traffic outweighing the
   * saved products (resnet2b's 8×8 16→16 layers, batch 64, 2 threads, 6 alternations: 1.36–1.47 ms
   * a batch as Winograd, 1.01–1.48 direct, faster in 5; 16×16 16→16 was even in the C bench, 38 →
   * 38); in fp64 it still gains (1.64–2.21 against 2.09–2.54 direct, 4 of 4), so it stays Winograd
   * there.
   */
  static boolean winograd(ConvGeometry g, boolean fp32) {
    int channels = Math.min(g.cin(), g.cout());
    boolean small = fp32 && channels < 2 * WINOGRAD_MIN_CHANNELS && (long) g.oh() * g.ow() <= WINOGRAD_SMALL_IMAGE;
    return winogradShape(g) && channels >= WINOGRAD_MIN_CHANNELS && !small;
  }

  /**
   * A 3×3 stride-1 undilated layer of one group, not cropped at the top or left (pads ≥ 0), whose
   * transformed kernel (16 values a channel pair, 16/9 of the kernel) fits a Java array.
   */
  static boolean winogradShape(ConvGeometry g) {
    return g.groups() == 1 && g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1
        && g.dilH() == 1 && g.dilW() == 1 && g.padTop() >= 0 && g.padLeft() >= 0
        && 16L * g.cin() * winogradChannels(g.cout()) <= Integer.MAX_VALUE - 8;
  }

  /** Output channels of the transformed kernel: cout padded with zero channels to a multiple of 4 (C's blocks). */
  private static int winogradChannels(int cout) {
    return (cout + 3) / 4 * 4;
  }

  /**
   * U_ξ = G g Gᵀ of each 3×3 kernel g (output channel o, input channel ci), G = [[1, 0, 0], [½, ½, ½],
   * [½, −½, ½], [0, 0, 1]] (Lavin and Gray 2016, F(2, 3)), laid out [ξ][o / 4][ci][o % 4] with o
   * padded with zero channels to co (a multiple of 4); in double, rounded to float after for float32
   * states.
   */
  static double[] winogradKernel(ConvGeometry g, double[] kernel, int co) {
    double[] u = new double[16 * g.cin() * co];
    double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    for (int o = 0; o < g.cout(); o++) {
      for (int ci = 0; ci < g.cin(); ci++) {
        int k0 = (o * g.cin() + ci) * 9;
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            double sum = 0;
            for (int a = 0; a < 3; a++) {
              for (int b = 0; b < 3; b++) {
                sum += gm[i][a] * kernel[k0 + a * 3 + b] * gm[j][b];
              }
            }
            u[(((i * 4 + j) * co + o / 4 * 4) * g.cin() + ci * 4) + o % 4] = sum;
          }
        }
      }
    }
    return u;
  }

  /** The convolution of one group's channels (the layer itself when it has one group). */
  private static ConvGeometry oneGroup(ConvGeometry g) {
    return new ConvGeometry(g.cinPerGroup(), g.h(), g.w(), g.coutPerGroup(), g.oh(), g.ow(), g.kh(), g.kw(),
        g.strideH(), g.strideW(), g.padTop(), g.padLeft(), 1, 1, 1);
  }

  /** Whether the library loaded. */
  static boolean available() {
    return Holder.LOADED;
  }

  /**
   * Whether a convolution (float32 or fp64) goes this way, when the library loaded and the layer has
   * no dilation: every {@link #depthwise} layer; with AVX-512, one group, a stride above 1 and a
   * kernel above 1×1 or at most 16 output channels; without it, every layer (several groups of
   * several channels run group by group: Zen 3, one thread, float32, 32×32 32→64 3×3 in 2 groups,
   * 636 µs a sample as GEMMs, 266 direct).
   *
   * <p>Why the split: OpenBLAS 0.3.31 multiplies small matrices in place only with its SkylakeX
   * (AVX-512) kernels; elsewhere every GEMM call packs both operands first. Measured, one thread,
   * float32, µs a sample. Zen 5 (AVX-512): resnet2b's 1×1 stride-2 8→16 layer 0.91 → 0.56 direct,
   * ResNet-20's 16→32 and 32→64 1×1 stride-2 ones 10–16% slower direct, its 8×8 16→16 stride-1
   * layer 2.07 as a GEMM against 2.34 direct. Zen 3 (AVX2), GEMM → direct: ResNet-20's 32×32
   * 16→16 3×3 layer 162 → 69, 16×16 32→32 105 → 66, 8×8 64→64 83 → 59, 1×1 stride-2 16→32 20 → 11.
   */
  static boolean suits(ConvGeometry g) {
    if (g.dilH() != 1 || g.dilW() != 1 || !available()) {
      return false;
    }
    if (depthwise(g)) {
      return true;
    }
    return Holder.VECTOR_BITS < 512
        || g.groups() == 1 && Math.max(g.strideH(), g.strideW()) > 1 && (g.kh() * g.kw() > 1 || g.cout() <= 16);
  }

  /**
   * Whether the layer is depthwise: a group a channel, one output channel each. The C library runs
   * those channel by channel over rows of output pixels; as GEMMs they were one-row products, one a
   * group. Zen 3, one thread, float32, µs a sample, GEMMs → direct: 32×32 32 channels 3×3 297 →
   * 28.5, 16×16 64 channels 273 → 17.5, 8×8 128 channels stride 2 110 → 14.8.
   */
  static boolean depthwise(ConvGeometry g) {
    return g.groups() > 1 && g.groups() == g.cin() && g.cout() == g.cin();
  }

  /**
   * y_s += K x_s for s in [0, batch): x_s at xOff + s·xStride, y_s at yOff + s·yStride; x and y
   * float[] or double[] as the kernel this was made with.
   */
  void multAdd(Object x, int xOff, int xStride, Object y, int yOff, int yStride, int batch) {
    if (batch == 0) {
      return;
    }
    check("direct convolution", "input", x, xOff, xStride, batch, g.inputSize());
    check("direct convolution", "output", y, yOff, yStride, batch, g.outputSize());
    int threads = Runtime.getRuntime().availableProcessors();
    int parts = Math.min(batch, threads);
    // Fewer samples than threads: a large layer's output pixels are split too (ResNet-20 at batch 1).
    int split = batch < threads && g.macs() >= SPLIT_MACS ? (threads + batch - 1) / batch : 1;
    Parallel.forEach(parts * split, g.macs() * ((batch + parts - 1) / parts) / split, job -> {
      int part = job / split;
      int from = (int) ((long) batch * part / parts);
      int count = (int) ((long) batch * (part + 1) / parts) - from;
      long plane = (long) g.oh() * g.ow();
      int p0 = (int) (plane * (job % split) / split);
      int p1 = (int) (plane * (job % split + 1) / split);
      if (count > 0 && !run(x, xOff + from * xStride, xStride, y, yOff + from * yStride, yStride, count, p0, p1)) {
        throw new OutOfMemoryError("implicit4j: direct convolution could not allocate its padded input");
      }
    });
  }

  /** Output pixels [from, to) of each sample's plane; false when the C side could not allocate its scratch. */
  boolean run(Object x, int xOff, int xStride, Object y, int yOff, int yStride, int count, int from, int to) {
    int in = g.cinPerGroup() * g.h() * g.w(); // a group's inputs and outputs (one group unless grouped)
    int out = g.coutPerGroup() * g.oh() * g.ow();
    boolean ok = true;
    for (int grp = 0; grp < packed.length && ok; grp++) {
      int xo = xOff + grp * in;
      int yo = yOff + grp * out;
      ok = packed[grp] instanceof float[] k
          ? conv((float[]) x, xo, xStride, k, geo, (float[]) y, yo, yStride, count, from, to)
          : conv64((double[]) x, xo, xStride, (double[]) packed[grp], geo, (double[]) y, yo, yStride, count, from, to);
    }
    return ok;
  }

  /**
   * Whether every sample's input x_s (in values) and every sample's output y_t (out values) are
   * apart: always for two arrays; in one array (a block of the states reading a later block), when
   * both have one stride and a sample's two regions fit apart within it. The C kernels read x while
   * they write y, as the staged paths, which copy x first, need not.
   */
  static boolean apart(Object x, int xOff, int xStride, int in, Object y, int yOff, int yStride, int out) {
    if (x != y) {
      return true;
    }
    int lo = Math.min(xOff, yOff);
    int hi = Math.max(xOff + in, yOff + out);
    return xStride == yStride && (xOff + in <= yOff || yOff + out <= xOff) && hi - lo <= xStride;
  }

  /**
   * The C kernels (this class's and {@link NativeBlas}'s dense tiles) read and write without bounds
   * checks: every sample must lie inside its array.
   */
  static void check(String product, String what, Object array, int off, int stride, int batch, int size) {
    int length = java.lang.reflect.Array.getLength(array);
    long last = off + (long) (batch - 1) * stride + size;
    if (off < 0 || stride < 0 || last > length) {
      throw new DimensionMismatchException(product + ": " + batch + " " + what + " samples of " + size
          + " values from " + off + " every " + stride + " exceed the array of " + length);
    }
  }

  /**
   * Output channels a kernel vector holds: half a 512-bit register (8 floats, 4 doubles) for that
   * many channels or fewer, else multiples of a whole one (16 floats, 8 doubles).
   */
  private static int lanes(int cout, boolean fp32) {
    int whole = fp32 ? 16 : 8;
    return cout <= whole / 2 ? whole / 2 : (cout + whole - 1) / whole * whole;
  }

  /** p[(ci·taps + t)·co + o] = kernel[(o·cin + ci)·taps + t], zero for the padding channels o ≥ cout. */
  private static double[] pack(ConvGeometry g, double[] kernel, int co) {
    double[] p = new double[g.cin() * g.kh() * g.kw() * co];
    int taps = g.kh() * g.kw();
    for (int o = 0; o < g.cout(); o++) {
      for (int ci = 0; ci < g.cin(); ci++) {
        for (int t = 0; t < taps; t++) {
          p[(ci * taps + t) * co + o] = kernel[(o * g.cin() + ci) * taps + t];
        }
      }
    }
    return p;
  }

  /**
   * Output pixels [from, to) of each sample; false when the C side could not allocate its scratch
   * (the padded input, and a Winograd layer's transforms).
   */
  private static native boolean conv(float[] x, int xOff, int xStride, float[] packed, int[] geo, float[] y, int yOff,
      int yStride, int count, int from, int to);

  /** 512, 256 or 128: the widest vectors the C kernels use (AVX-512, AVX2, SSE2), as found on this processor. */
  private static native int vectorBits();

  /**
   * For tests: the kernels of at most this vector width run from now on (512, 256 or 128), so that
   * a machine checks the kernels of narrower instruction sets too. Routing ({@link #suits}) keeps
   * the width found at load.
   */
  static native void capVectorBits(int bits);

  /** The vector width found at load ({@link #vectorBits}), 0 when the library did not load. */
  static int vectorWidth() {
    return Holder.VECTOR_BITS;
  }

  /** {@link #conv} in double. */
  private static native boolean conv64(double[] x, int xOff, int xStride, double[] packed, int[] geo, double[] y,
      int yOff, int yStride, int count, int from, int to);

  private static final class Holder {
    static final boolean LOADED = load();
    /** The C kernels' vector width ({@link #vectorBits}); 0 when the library did not load. */
    static final int VECTOR_BITS = LOADED ? vectorBits() : 0;

    private static boolean load() {
      String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
      String arch = System.getProperty("os.arch", "");
      if ("false".equalsIgnoreCase(System.getProperty("implicit4j.native", "true")) || !os.contains("linux")
          || !(arch.equals("amd64") || arch.equals("x86_64"))) {
        return false;
      }
      try (InputStream in = DirectConv.class.getResourceAsStream("linux-x86_64/libimplicit4j.so")) {
        if (in == null) {
          return false; // built without gcc: the GEMM paths serve
        }
        System.load(extracted(in.readAllBytes()).toString());
        return true;
      } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
        System.err.println("implicit4j: direct convolutions not loaded (" + e + "); using the GEMM path");
        return false;
      }
    }

    /**
     * The library in ~/.cache/implicit4j/direct-conv ({@link NativeFiles}), named by its CRC-32 so
     * that runs share one copy and a rebuilt library gets its own.
     */
    private static Path extracted(byte[] lib) throws IOException {
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(lib);
      String name = String.format("libimplicit4j-%08x-%d.so", crc.getValue(), lib.length);
      return NativeFiles.extract(NativeFiles.cacheDir("direct-conv"), name, new java.io.ByteArrayInputStream(lib),
          lib.length);
    }
  }
}
