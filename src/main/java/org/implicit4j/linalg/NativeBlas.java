package org.implicit4j.linalg;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Dense products through OpenBLAS (org.bytedeco:openblas), when its native library loads.
 *
 * <p>Computes Y += X·Wᵀ and Y += X·W for a batch X stored row by row with a stride — the layout of
 * {@link LinearOperator#multAdd}. OpenBLAS runs on one thread: the work is split over
 * {@link Parallel}'s team instead, so the two never compete for the same cores. Where the library
 * cannot load (another platform, or {@code -Dimplicit4j.native=false}) {@link #available()} is
 * false and callers keep their Java kernels; a one-line notice says so once.
 *
 * <p>Weights live in native memory ({@link #weights}); the batch is packed (strided rows to
 * contiguous, fp64 to fp32 where asked) into native scratch ({@link NativeMemory}): O(batch·(m+k))
 * copies for O(batch·m·k) multiply-adds. Products run as small-GEMM tiles ({@link Tiling}), or for
 * K beyond them split by output columns.
 */
public final class NativeBlas {
  /**
   * Matrices with fewer entries stay on the Java kernels, where packing and the JNI call cost more
   * than they save; so do batches smaller than {@link #MIN_BATCH} unless the matrix has
   * {@link #MIN_ENTRIES_FEW_SAMPLES} entries. From 16 samples even a 10×256 output layer
   * pays: the Java kernel's inner loop runs over its 10 rows (mnistfc-256x2 fp32 at batch 64, 139 →
   * 124 µs with the layer in OpenBLAS; at batch 256, 553 → 459). OpenBLAS's
   * micro-kernels treat the rows left over from their tiles in another order, so — as with ONNX
   * Runtime — a sample's result can differ in the last bits between batch sizes (measured here:
   * fp64 dgemm agrees bit for bit at even batch sizes only, sgemm at multiples of 12).
   */
  static final long MIN_ENTRIES = 1L << 11;
  /** Entries from which a float32 product runs in place at any batch ({@link #inPlaceAtAnyBatch}). */
  static final long IN_PLACE_MIN_ENTRIES = 256;
  /** Smaller batches stay on the Java kernels (see {@link #MIN_ENTRIES}), but for large matrices. */
  static final int MIN_BATCH = 16;
  /**
   * Entries from which a matrix goes through OpenBLAS at any batch. Once the operands were staged
   * in native memory (third round), small batches paid too: one thread, batch 1, mnistfc-256x2's
   * 256×784 layer 10.4–12.3 → 4.7–5.7 µs and 256×256 3.4–4.1 → 1.9–2.0, oval21's 100×1024 7.0 →
   * 4.5 µs; the MLP's fp32 solve at batch 1 17–20 → 9.0–9.6 µs and at batch 4 48 → 13 µs. (The
   * first measurement, before native staging, had batch 1 at 116 µs through OpenBLAS, 26 in Java.)
   */
  static final long MIN_ENTRIES_FEW_SAMPLES = 1L << 14;
  /** Fewest output columns per thread for the column split (see {@link #columnParts}). */
  static final int MIN_PART = 64;
  /** Most samples per GEMM when columns are split: bounds the packed block (256·k values). */
  static final int MAX_BLOCK = 256;

  private NativeBlas() {}

  /** Whether OpenBLAS loaded; false on other platforms or when disabled by system property. */
  public static boolean available() {
    return Holder.AVAILABLE;
  }

  /**
   * OpenBLAS's kernels as asked for by {@link KernelChoice} (a core name such as SKYLAKEX, the
   * environment's OPENBLAS_CORETYPE, or OpenBLAS's own detection), after loading it, and which
   * products the C library runs ({@link DirectConv}: strided and depthwise convolutions with
   * AVX-512; without it every one-group or depthwise undilated convolution and the dense tiles).
   */
  public static String kernels() {
    int bits = DirectConv.vectorWidth();
    String direct = !DirectConv.available() ? ""
        : bits == 512 ? "; strided and depthwise convolutions: direct (C, 512-bit vectors)"
        : "; convolutions and dense tiles: C (" + bits + "-bit vectors)";
    return (available() ? KernelChoice.chosen() : "none (Java kernels)") + direct;
  }

  /** Whether a batch of products by a matrix with this many entries goes through OpenBLAS. */
  static boolean worthIt(long entries, int batch) {
    return entries >= MIN_ENTRIES && (batch >= MIN_BATCH || entries >= MIN_ENTRIES_FEW_SAMPLES)
        && Holder.AVAILABLE;
  }

  /**
   * Whether a product by a matrix of this many entries and k columns, float32 states by float32
   * weights or double by double, runs in place ({@link #tiledInPlace}) at any batch: nothing is
   * packed there, so {@link #worthIt}'s batch bound does not apply, and in float32 its size bound
   * is {@link #IN_PLACE_MIN_ENTRIES}. On a batch's last, short chunks (8 and 4 samples) mnistfc's
   * 10×256 output layer went through Java, 1.2% of the float32 solve at batch 256 (perf); and
   * resnet2b's 10×100 one, at every batch, 1.9% at batch 64. Both are gone. Double products keep
   * {@link #MIN_ENTRIES}: the C blocks sum in an order that depends on how many rows a block holds,
   * so small double models (iris) stay in Java and give the same bits at every batch size.
   */
  static boolean inPlaceAtAnyBatch(long entries, int k, boolean fp32) {
    return entries >= (fp32 ? IN_PLACE_MIN_ENTRIES : MIN_ENTRIES) && Tiling.applies(k)
        && (fp32 ? InPlace.SGEMM : InPlace.DGEMM) != 0;
  }

  private static final class Holder {
    static final boolean AVAILABLE = load();

    private static boolean load() {
      if ("false".equalsIgnoreCase(System.getProperty("implicit4j.native", "true"))) {
        return false;
      }
      try {
        KernelChoice.beforeLoad();
        openblas_nolapack.blas_set_num_threads(1);
        return true;
      } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError: no natives for this platform
        System.err.println("implicit4j: OpenBLAS not loaded (" + e.getClass().getSimpleName()
            + "); using the Java kernels");
        return false;
      }
    }
  }

  /**
   * y_s += W x_s (transB = true: W is m×k row-major) or y_s += Wᵀ x_s (transB = false: W is k×m),
   * for s in [0, batch), in fp64 (w a {@link DoublePointer}) or fp32 (w a {@link FloatPointer}:
   * inputs rounded to float, sums in float). W is in native memory, laid out by {@link #weights}.
   */
  static void gemm(Weights weights, boolean transB, int m, int k, Object x, int xOff, int xStride,
      Object y, int yOff, int yStride, int batch) {
    Tiling t = Tiling.of(m, k, batch);
    if (t != null) {
      tiled(weights, t, m, k, x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
    Pointer w = weights.values();
    int parts = columnParts(m);
    if (parts == 1) {
      int block = blockRows(batch);
      int blocks = (batch + block - 1) / block;
      Parallel.forEach(blocks, (long) block * m * k, b -> {
        int s0 = b * block;
        int n = Math.min(batch, s0 + block) - s0;
        Pointer xs = pack(w, x, xOff + s0 * xStride, xStride, n, k, 0);
        product(w, xs, new Product(transB, m, k, 0, m), y, yOff + s0 * yStride, yStride, n);
      });
      return;
    }
    for (int s0 = 0; s0 < batch; s0 += MAX_BLOCK) {
      int n = Math.min(batch, s0 + MAX_BLOCK) - s0;
      Pointer xs = pack(w, x, xOff + s0 * xStride, xStride, n, k, 2); // read by every part
      int yo = yOff + s0 * yStride;
      Parallel.forEach(parts, (long) n * m * k / parts, part -> product(w, xs,
          new Product(transB, m, k, (int) ((long) m * part / parts), (int) ((long) m * (part + 1) / parts)), y, yo,
          yStride, n));
    }
  }

  /**
   * Small-GEMM tiles of Y = X·B (X batch×k packed, B k×m): {@code rows} samples by {@code cols}
   * output columns, M·N·K within {@link NativeConv#SMALL_MNK}, where OpenBLAS's in-place kernels
   * run (measured here, sgemm 16×64×784: 257 GFLOP/s NN, 172 NT; 64×256×784 whole: 180).
   */
  record Tiling(int rows, int cols) {
    /** The tiling of a batch × m × k product, or null when even 16×16 tiles exceed the bound. */
    static Tiling of(int m, int k, int batch) {
      if (!applies(k)) {
        return null;
      }
      long maxCols = Math.max(16, NativeConv.SMALL_MNK / (16L * k) / 16 * 16);
      int colTiles = (int) ((m + maxCols - 1) / maxCols);
      int cols = (m + colTiles - 1) / colTiles;
      long maxRows = Math.max(16, NativeConv.SMALL_MNK / ((long) cols * k) / 16 * 16);
      int rowTiles = (int) ((batch + maxRows - 1) / maxRows);
      // a tile for every thread where the batch has 16 samples for each: mnistfc's 10×256 output
      // layer was one tile of 256 samples on one thread (batch 256, 2 threads: 29.9 → 20.3 µs)
      int threads = Runtime.getRuntime().availableProcessors();
      rowTiles = Math.max(rowTiles, Math.min((threads + colTiles - 1) / colTiles, batch / 16));
      return new Tiling((batch + rowTiles - 1) / rowTiles, cols);
    }

    /** Whether products of depth k are tiled at all: a 16×16 tile within the bound. */
    static boolean applies(int k) {
      return 256L * k <= NativeConv.SMALL_MNK;
    }
  }

  /**
   * A matrix B in native memory (float or double values) as {@link #gemm} reads it, cut into column
   * tiles of {@link Tiling#cols()} when {@link Tiling} applies, else B as it is (k×m row-major).
   * Within a tile, {@code panel} 0 means row-major (k × width, OpenBLAS's layout) and panel p &gt; 0
   * panels of p columns, each k × p row-major and zero-padded to p columns, one after another (the
   * C library's blocks: a block then streams its weights from one run of memory).
   */
  record Weights(Pointer values, int panel) {
    /** Offset of the tile starting at column c0 of a tiling t, depth k. */
    long tileOffset(Tiling t, int c0, int k) {
      return tileOffset(t, c0, k, panel);
    }

    /** {@link #tileOffset} in a layout of this panel width: tiles of whole panels, one after another. */
    static long tileOffset(Tiling t, int c0, int k, int panel) {
      long allotted = panel == 0 ? t.cols() : (t.cols() + panel - 1L) / panel * panel;
      return c0 / t.cols() * allotted * k;
    }
  }

  /**
   * B = Wᵀ (transB, W m×k row-major) or B = W (W k×m) in native memory, float or double, as
   * {@link Weights}: in the C library's panels (16 floats, 8 doubles: two of its vectors) where it
   * runs the tiles (without AVX-512), else in OpenBLAS's layout.
   */
  static Weights weights(double[] w, boolean transB, int m, int k, boolean fp32) {
    boolean panels = DirectConv.available() && DirectConv.vectorWidth() < 512;
    return weights(w, transB, m, k, fp32, panels ? (fp32 ? 16 : 8) : 0);
  }

  /** {@link #weights} in the given panel width (0: row-major tiles). */
  static Weights weights(double[] w, boolean transB, int m, int k, boolean fp32, int panel) {
    Tiling t = Tiling.of(m, k, MAX_BLOCK);
    if (t == null) {
      return new Weights(fp32 ? NativeMemory.of(Floats.rounded(w)) : NativeMemory.of(w), 0);
    }
    int p = panel == 0 ? Integer.MAX_VALUE : panel;
    int tiles = (m + t.cols() - 1) / t.cols();
    double[] b = new double[Math.toIntExact(Weights.tileOffset(t, tiles * t.cols(), k, panel))];
    for (int c0 = 0; c0 < m; c0 += t.cols()) {
      int width = Math.min(t.cols(), m - c0);
      long tile = Weights.tileOffset(t, c0, k, panel);
      int row = panel == 0 ? width : panel;
      for (int nn = 0; nn < width; nn++) {
        long at = tile + (long) nn / p * p * k + nn % p;
        for (int kk = 0; kk < k; kk++) {
          b[(int) (at + (long) kk * row)] = transB ? w[(c0 + nn) * k + kk] : w[kk * m + c0 + nn];
        }
      }
    }
    return new Weights(fp32 ? NativeMemory.of(Floats.rounded(b)) : NativeMemory.of(b), panel);
  }

  /** Y += X·B by tiles: X packed once (in parallel), then one small GEMM per tile on the team. */
  private static void tiled(Weights weights, Tiling t, int m, int k, Object x, int xOff, int xStride, Object y,
      int yOff, int yStride, int batch) {
    Pointer w = weights.values();
    boolean fp32 = w instanceof FloatPointer;
    if ((fp32 ? x instanceof float[] && y instanceof float[] && InPlace.SGEMM != 0
        : x instanceof double[] && y instanceof double[] && InPlace.DGEMM != 0)
        && DirectConv.apart(x, xOff, xStride, k, y, yOff, yStride, m)) {
      tiledInPlace(weights, t, m, k, x, xOff, xStride, y, yOff, yStride, batch);
      return;
    }
    Pointer xs = NativeMemory.scratch().values(2, (long) batch * k, fp32);
    int packs = (batch + 15) / 16;
    Parallel.forEach(packs, 16L * k, b -> packRows(w, x, xOff, xStride, b * 16, Math.min(batch, b * 16 + 16), k,
        xs));
    forEachTile(t, m, k, batch, (r0, n, c0, width) -> tile(weights, weights.tileOffset(t, c0, k), xs, k, r0, n,
        c0, width, y, yOff, yStride));
  }

  /** A tile of a batch × m product: samples [r0, r0 + n), output columns [c0, c0 + width). */
  private interface TileBody {
    void run(int r0, int n, int c0, int width);
  }

  /**
   * The body for every tile of the batch × m × k product, one loop item a tile, on the team; the
   * row tiles of one column tile follow one another, so that its weights stay in cache between
   * them (mnistfc float32 at batch 256, 4 × 4 tiles a chunk: 1,001 → 867 µs against ORT's 822–856).
   */
  private static void forEachTile(Tiling t, int m, int k, int batch, TileBody body) {
    int colTiles = (m + t.cols() - 1) / t.cols();
    int rowTiles = (batch + t.rows() - 1) / t.rows();
    Parallel.forEach(rowTiles * colTiles, (long) t.rows() * t.cols() * k, job -> {
      int r0 = job % rowTiles * t.rows();
      int c0 = job / rowTiles * t.cols();
      body.run(r0, Math.min(t.rows(), batch - r0), c0, Math.min(t.cols(), m - c0));
    });
  }

  private static final class Zeros {
    static final FloatPointer FLOAT = new FloatPointer(1).put(0, 0f);
    static final DoublePointer DOUBLE = new DoublePointer(1).put(0, 0.0);
  }

  /**
   * dst[dOff + i·incDst] = src[sOff + i·incSrc] for i &lt; n in native memory (cblas_scopy or
   * cblas_dcopy); src null writes zeros (a one-value source read with stride 0, which OpenBLAS
   * copies as it is, NaN positions included, where ?scal by 0 would keep NaN).
   */
  static void copy(int n, Pointer src, long sOff, int incSrc, Pointer dst, long dOff, int incDst) {
    if (dst instanceof FloatPointer d) {
      FloatPointer from = src == null ? Zeros.FLOAT : ((FloatPointer) src).getPointer(sOff);
      openblas_nolapack.cblas_scopy(n, from, src == null ? 0 : incSrc, d.getPointer(dOff), incDst);
    } else {
      DoublePointer from = src == null ? Zeros.DOUBLE : ((DoublePointer) src).getPointer(sOff);
      openblas_nolapack.cblas_dcopy(n, from, src == null ? 0 : incSrc, ((DoublePointer) dst).getPointer(dOff), incDst);
    }
  }

  /**
   * C = op(A)·op(B), row-major, alpha 1 and beta 0: sgemm for FloatPointers, dgemm for
   * DoublePointers; each operand from its element offset.
   */
  static void rawGemm(boolean transA, boolean transB, int m, int n, int k, Pointer a, long aOff, int lda,
      Pointer b, long bOff, int ldb, Pointer c, long cOff, int ldc) {
    rawGemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
  }

  /** As above; with {@code accumulate}, C += op(A)·op(B) (β = 1) instead of C = op(A)·op(B). */
  static void rawGemm(boolean transA, boolean transB, int m, int n, int k, Pointer a, long aOff, int lda,
      Pointer b, long bOff, int ldb, Pointer c, long cOff, int ldc, boolean accumulate) {
    int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    if (a instanceof FloatPointer fa) {
      openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, 1f, fa.getPointer(aOff), lda,
          ((FloatPointer) b).getPointer(bOff), ldb, accumulate ? 1f : 0f, ((FloatPointer) c).getPointer(cOff), ldc);
    } else {
      openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, 1.0,
          ((DoublePointer) a).getPointer(aOff), lda, ((DoublePointer) b).getPointer(bOff), ldb, accumulate ? 1.0 : 0.0,
          ((DoublePointer) c).getPointer(cOff), ldc);
    }
  }

  /**
   * Rows x_s, s in [s0, s1), of a double[] or float[] batch into the packed block xs (row s at s·k),
   * as floats or doubles like w: a bulk copy when the types agree.
   */
  private static void packRows(Pointer w, Object x, int xOff, int xStride, int s0, int s1, int k, Pointer xs) {
    if (w instanceof FloatPointer) {
      FloatBuffer b = ((FloatPointer) xs).getPointer((long) s0 * k).asBuffer();
      for (int s = s0; s < s1; s++) {
        int xo = xOff + s * xStride;
        int bo = (s - s0) * k;
        if (x instanceof float[] f) {
          b.put(bo, f, xo, k);
          continue;
        }
        double[] d = (double[]) x;
        for (int j = 0; j < k; j++) {
          b.put(bo + j, (float) d[xo + j]);
        }
      }
    } else {
      DoubleBuffer b = ((DoublePointer) xs).getPointer((long) s0 * k).asBuffer();
      for (int s = s0; s < s1; s++) {
        int xo = xOff + s * xStride;
        int bo = (s - s0) * k;
        if (x instanceof double[] d) {
          b.put(bo, d, xo, k);
          continue;
        }
        float[] f = (float[]) x;
        for (int j = 0; j < k; j++) {
          b.put(bo + j, f[xo + j]);
        }
      }
    }
  }

  /**
   * {@link #tiled} without staging, x and y both float[] (float32 states and weights) or both
   * double[]: each tile's GEMM reads x and adds into y in the Java arrays themselves (their strides
   * as leading dimensions, β = 1), through the C library of {@link DirectConv}: OpenBLAS's sgemm or
   * dgemm with AVX-512 (its SkylakeX small-matrix kernels work in place), the library's own register
   * blocks without it (where OpenBLAS would pack both operands at every call: Zen 3, 16×64×784 at
   * 34 GFLOP/s against 100). mnistfc's float32 solve spent 40% of its time outside sgemm, packing
   * inputs into native memory and adding the products back; in place (Zen 5), batch 64 114 → 97 µs
   * and batch 256 411 → 347 µs a solve.
   */
  private static void tiledInPlace(Weights weights, Tiling t, int m, int k, Object x, int xOff, int xStride,
      Object y, int yOff, int yStride, int batch) {
    Pointer w = weights.values();
    boolean panels = weights.panel() > 0;
    DirectConv.check("dense tile", "input", x, xOff, xStride, batch, k);
    DirectConv.check("dense tile", "output", y, yOff, yStride, batch, m);
    int bytes = x instanceof float[] ? Float.BYTES : Double.BYTES;
    long wAddress = w.address() + w.position() * bytes;
    forEachTile(t, m, k, batch, (r0, n, c0, width) -> {
      long tile = wAddress + weights.tileOffset(t, c0, k) * bytes;
      boolean ok = x instanceof float[] xf
          ? tileInPlace(InPlace.SGEMM, xf, xOff + r0 * xStride, xStride, tile, panels, k, n, width, (float[]) y,
              yOff + r0 * yStride + c0, yStride)
          : tileInPlace64(InPlace.DGEMM, (double[]) x, xOff + r0 * xStride, xStride, tile, panels, k, n, width,
              (double[]) y, yOff + r0 * yStride + c0, yStride);
      if (!ok) {
        throw new OutOfMemoryError("implicit4j: the JVM did not lend the state arrays to the GEMM");
      }
    });
  }

  /** cblas_sgemm's and cblas_dgemm's addresses for the in-place tiles, or 0 when either library is missing. */
  private static final class InPlace {
    static final long SGEMM = address("cblas_sgemm");
    static final long DGEMM = SGEMM == 0 ? 0 : address("cblas_dgemm");

    private static long address(String symbol) {
      if (!DirectConv.available() || !available()) {
        return 0;
      }
      Pointer p = org.bytedeco.javacpp.Loader.addressof(symbol);
      return p == null ? 0 : p.address();
    }
  }

  /**
   * One tile: through sgemm at address {@code sgemm} (row-major weights) or the C library's blocks
   * ({@code panels}). False when the JVM did not lend a critical pointer to x or y.
   */
  private static native boolean tileInPlace(long sgemm, float[] x, int xOff, int xStride, long w, boolean panels,
      int k, int n, int width, float[] y, int yOff, int yStride);

  /** {@link #tileInPlace} in double. */
  private static native boolean tileInPlace64(long dgemm, double[] x, int xOff, int xStride, long w,
      boolean panels, int k, int n, int width, double[] y, int yOff, int yStride);

  /**
   * y_s[c0, c0 + width) += (X·B)_s for s in [r0, r0 + n), B's tile at {@code tile}: small GEMMs into
   * this thread's scratch, one for the tile (row-major) or one a panel.
   */
  private static void tile(Weights weights, long tile, Pointer xs, int k, int r0, int n, int c0, int width,
      Object y, int yOff, int yStride) {
    Pointer w = weights.values();
    Pointer out = NativeMemory.scratch().values(1, (long) n * width, w instanceof FloatPointer);
    int p = weights.panel() == 0 ? width : weights.panel();
    for (int j = 0; j < width; j += p) {
      rawGemm(false, false, n, Math.min(p, width - j), k, xs, (long) r0 * k, k, w, tile + (long) j * k, p, out, j,
          width);
    }
    addInto(out, n, width, y, yOff + r0 * yStride + c0, yStride);
  }

  /**
   * y[yOff + s·yStride + i] += out[s·width + i] for s in [0, n), i in [0, width), into a double[]
   * or a float[] y.
   */
  private static void addInto(Pointer out, int n, int width, Object y, int yOff, int yStride) {
    boolean fp32 = out instanceof FloatPointer;
    float[] f = fp32 ? new float[n * width] : null;
    double[] d = fp32 ? null : new double[n * width];
    NativeMemory.get(out, fp32 ? f : d, n * width);
    for (int s = 0; s < n; s++) {
      int yo = yOff + s * yStride;
      int o = s * width;
      if (y instanceof float[] yf) { // float states: a float32 product (the model is float32)
        StagedAdd.add(yf, yo, f, o, width);
        continue;
      }
      double[] yd = (double[]) y;
      for (int i = 0; i < width; i++) {
        yd[yo + i] += fp32 ? f[o + i] : d[o + i]; // the JIT unswitches the loop-invariant test
      }
    }
  }

  /**
   * Output columns [c0, c1) of the product by W (m×k if transB, else k×m): the part of W they read
   * starts at c0·k (rows of W) or c0 (columns), with W's own leading dimension.
   */
  private record Product(boolean transB, int m, int k, int c0, int c1) {
    int width() {
      return c1 - c0;
    }

    long wOffset() {
      return transB ? (long) c0 * k : c0;
    }

    int ldw() {
      return transB ? k : m;
    }
  }

  /**
   * Parts the output columns are split into, one per worker thread, when each keeps at least
   * {@link #MIN_PART} columns: every thread then runs a GEMM over the whole batch (up to
   * {@link #MAX_BLOCK} samples) and reads only its part of W. Measured here (Zen 5, 2 cores,
   * SkylakeX kernels, OpenBLAS one thread), 64×256×784 sgemm: 94 µs split by columns, 126 µs split
   * by samples (64×256×256: 55 and 75 µs); OpenBLAS's own two threads took 78 and 27 µs, but its
   * thread count is global and setting it back to one costs about 100 µs, so it stays at one.
   */
  static int columnParts(int m) {
    int threads = Runtime.getRuntime().availableProcessors();
    return m >= threads * MIN_PART ? threads : 1;
  }

  /**
   * Samples per GEMM: one block per worker thread (larger GEMMs run closer to peak), in multiples of
   * 16, at least {@link #MIN_BATCH} (measured: 64 samples in two blocks of 32 beat one block of 64).
   */
  static int blockRows(int batch) {
    int threads = Runtime.getRuntime().availableProcessors();
    int perThread = (batch + threads - 1) / threads;
    return Math.max(MIN_BATCH, (perThread + 15) / 16 * 16);
  }

  /**
   * Rows x_s, s in [0, n), contiguous in this thread's native scratch slot {@code slot}: as floats
   * when w is a FloatPointer (the fp32 product), else as doubles.
   */
  private static Pointer pack(Pointer w, Object x, int xOff, int xStride, int n, int k, int slot) {
    Pointer xs = NativeMemory.scratch().values(slot, (long) n * k, w instanceof FloatPointer);
    packRows(w, x, xOff, xStride, 0, n, k, xs);
    return xs;
  }

  /** y_s[c0, c1) += (X W-part)_s for the packed rows xs, in this thread's scratch slot 1. */
  private static void product(Pointer w, Pointer xs, Product p, Object y, int yOff, int yStride, int n) {
    Pointer out = NativeMemory.scratch().values(1, (long) n * p.width(), w instanceof FloatPointer);
    rawGemm(false, p.transB(), n, p.width(), p.k(), xs, 0, p.k(), w, p.wOffset(), p.ldw(), out, 0, p.width());
    addInto(out, n, p.width(), y, yOff + p.c0(), yStride);
  }
}
