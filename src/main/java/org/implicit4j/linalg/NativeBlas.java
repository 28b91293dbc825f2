package org.implicit4j.linalg;

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
 * <p>JavaCPP passes Java arrays to BLAS whole, from index 0 (a wrapped buffer with an offset is not
 * honoured), so blocks are packed into fresh arrays first: O(batch·(m+k)) copies for O(batch·m·k)
 * multiply-adds.
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
   * for s in [0, batch), in fp64 or — with {@code w32} given — fp32 (inputs rounded to float, sums in float).
   */
  static void gemm(double[] w, float[] w32, boolean transB, int m, int k, double[] x, int xOff, int xStride,
      double[] y, int yOff, int yStride, int batch) {
    int block = blockRows(batch);
    int blocks = (batch + block - 1) / block;
    Parallel.forEach(blocks, (long) block * m * k, b -> {
      int s0 = b * block;
      int n = Math.min(batch, s0 + block) - s0;
      if (w32 != null) {
        block32(w32, transB, m, k, x, xOff + s0 * xStride, xStride, y, yOff + s0 * yStride, yStride, n);
      } else {
        block64(w, transB, m, k, x, xOff + s0 * xStride, xStride, y, yOff + s0 * yStride, yStride, n);
      }
    });
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

  private static void block64(double[] w, boolean transB, int m, int k, double[] x, int xOff, int xStride,
      double[] y, int yOff, int yStride, int n) {
    double[] xp = new double[n * k];
    double[] yp = new double[n * m];
    for (int s = 0; s < n; s++) {
      System.arraycopy(x, xOff + s * xStride, xp, s * k, k);
    }
    openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, n, m, k, 1.0, xp, k, w,
        transB ? k : m, 0.0, yp, m);
    for (int s = 0; s < n; s++) {
      int yo = yOff + s * yStride;
      for (int i = 0; i < m; i++) {
        y[yo + i] += yp[s * m + i];
      }
    }
  }

  private static void block32(float[] w, boolean transB, int m, int k, double[] x, int xOff, int xStride,
      double[] y, int yOff, int yStride, int n) {
    float[] xp = new float[n * k];
    float[] yp = new float[n * m];
    for (int s = 0; s < n; s++) {
      int xo = xOff + s * xStride;
      for (int j = 0; j < k; j++) {
        xp[s * k + j] = (float) x[xo + j];
      }
    }
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, n, m, k, 1f, xp, k, w,
        transB ? k : m, 0f, yp, m);
    for (int s = 0; s < n; s++) {
      int yo = yOff + s * yStride;
      for (int i = 0; i < m; i++) {
        y[yo + i] += yp[s * m + i];
      }
    }
  }
}
