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
 * {@link LinearOperator#multAdd}. OpenBLAS runs on one thread: the batch is split over the Java
 * worker pool instead, so the two thread pools never compete for the same cores. Where the library
 * cannot load (another platform, or {@code -Dimplicit4j.native=false}) {@link #available()} is
 * false and callers keep their Java kernels; a one-line notice says so once.
 *
 * <p>Weights live in native memory; a block of samples is packed (strided rows to contiguous, fp64
 * to fp32 where asked) and copied into per-thread native scratch ({@link NativeMemory}):
 * O(batch·(m+k)) copies for O(batch·m·k) multiply-adds.
 */
public final class NativeBlas {
  /**
   * Matrices with fewer entries stay on the Java kernels, where packing and the JNI call cost more
   * than they save; so do batches smaller than {@link #MIN_BATCH} (measured on mnistfc-256x2 at
   * batch 1: 116 µs through OpenBLAS, 26 µs in Java). OpenBLAS's
   * micro-kernels treat the rows left over from their tiles in another order, so — as with ONNX
   * Runtime — a sample's result can differ in the last bits between batch sizes (measured here:
   * fp64 dgemm agrees bit for bit at even batch sizes only, sgemm at multiples of 12).
   */
  static final long MIN_ENTRIES = 1L << 12;
  /** Smaller batches stay on the Java kernels (see {@link #MIN_ENTRIES}). */
  static final int MIN_BATCH = 16;
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
   * environment's OPENBLAS_CORETYPE, or OpenBLAS's own detection), after loading it.
   */
  public static String kernels() {
    return available() ? KernelChoice.chosen() : "none (Java kernels)";
  }

  /** Whether a batch of products by a matrix with this many entries goes through OpenBLAS. */
  static boolean worthIt(long entries, int batch) {
    return entries >= MIN_ENTRIES && batch >= MIN_BATCH && Holder.AVAILABLE;
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
   * inputs rounded to float, sums in float). W is in native memory ({@link NativeMemory#of}).
   */
  static void gemm(Pointer w, boolean transB, int m, int k, double[] x, int xOff, int xStride,
      double[] y, int yOff, int yStride, int batch) {
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

    int trans() {
      return transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
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
  private static Pointer pack(Pointer w, double[] x, int xOff, int xStride, int n, int k, int slot) {
    NativeMemory mem = NativeMemory.scratch();
    if (w instanceof FloatPointer) {
      FloatPointer xs = mem.floats(slot, (long) n * k);
      FloatBuffer b = xs.position(0).asBuffer();
      for (int s = 0; s < n; s++) {
        int xo = xOff + s * xStride;
        for (int j = 0; j < k; j++) {
          b.put(s * k + j, (float) x[xo + j]);
        }
      }
      return xs;
    }
    DoublePointer xs = mem.doubles(slot, (long) n * k);
    DoubleBuffer b = xs.position(0).asBuffer();
    for (int s = 0; s < n; s++) {
      b.put(s * k, x, xOff + s * xStride, k);
    }
    return xs;
  }

  /** y_s[c0, c1) += (X W-part)_s for the packed rows xs, in this thread's scratch slot 1. */
  private static void product(Pointer w, Pointer xs, Product p, double[] y, int yOff, int yStride, int n) {
    int m = p.width();
    int k = p.k();
    NativeMemory mem = NativeMemory.scratch();
    if (w instanceof FloatPointer w32) {
      FloatPointer out = mem.floats(1, (long) n * m);
      openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, p.trans(), n,
          m, k, 1f, (FloatPointer) xs, k, w32.getPointer(p.wOffset()), p.ldw(), 0f, out, m);
      FloatBuffer b = out.position(0).asBuffer();
      for (int s = 0; s < n; s++) {
        int yo = yOff + s * yStride + p.c0();
        for (int i = 0; i < m; i++) {
          y[yo + i] += b.get(s * m + i);
        }
      }
      return;
    }
    DoublePointer out = mem.doubles(1, (long) n * m);
    openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, p.trans(), n, m,
        k, 1.0, (DoublePointer) xs, k, ((DoublePointer) w).getPointer(p.wOffset()), p.ldw(), 0.0, out, m);
    DoubleBuffer b = out.position(0).asBuffer();
    for (int s = 0; s < n; s++) {
      int yo = yOff + s * yStride + p.c0();
      for (int i = 0; i < m; i++) {
        y[yo + i] += b.get(s * m + i);
      }
    }
  }
}
