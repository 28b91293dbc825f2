package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenBLAS path of {@link DenseMatrix} against plain triple loops, with offsets and strides. */
class NativeBlasTest {
  private static final int ROWS = 70;
  private static final int COLS = 130;
  private static final int BATCH = 150; // three OpenBLAS blocks, the last one partial
  private static final int X_OFF = 3;
  private static final int X_STRIDE = 137;
  private static final int Y_OFF = 5;
  private static final int Y_STRIDE = 141;

  private final Random random = new Random(7);
  private double[] w;
  private double[] x;
  private double[] y;

  @BeforeEach
  void data() {
    assumeTrue(NativeBlas.available(), "OpenBLAS natives did not load on this platform");
    assertTrue(NativeBlas.worthIt((long) ROWS * COLS, BATCH), "the test sizes must take the native path");
    w = gaussian(ROWS * COLS);
    x = gaussian(X_OFF + BATCH * X_STRIDE);
    y = gaussian(Y_OFF + BATCH * Y_STRIDE);
  }

  /** Weights start on a cache line (the tiles' 64-byte panel rows then never straddle two) and hold w exactly. */
  @Test
  void weightsInNativeMemoryStartOnACacheLine() {
    for (int len : new int[] {1, 3, 1000, 16384, 65536, 200704}) {
      float[] f = new float[len];
      double[] d = new double[len];
      for (int i = 0; i < len; i++) {
        d[i] = random.nextGaussian();
        f[i] = (float) d[i];
      }
      org.bytedeco.javacpp.FloatPointer pf = NativeMemory.of(f);
      org.bytedeco.javacpp.DoublePointer pd = NativeMemory.of(d);
      assertEquals(0, (pf.address() + pf.position() * Float.BYTES) % NativeMemory.ALIGN, "floats, length " + len);
      assertEquals(0, (pd.address() + pd.position() * Double.BYTES) % NativeMemory.ALIGN, "doubles, length " + len);
      float[] backF = new float[len];
      double[] backD = new double[len];
      pf.get(backF);
      pd.get(backD);
      org.junit.jupiter.api.Assertions.assertArrayEquals(f, backF, "floats, length " + len);
      org.junit.jupiter.api.Assertions.assertArrayEquals(d, backD, "doubles, length " + len);
    }
    assertEquals(12, NativeMemory.toBoundary(16, Float.BYTES));
    assertEquals(0, NativeMemory.toBoundary(128, Double.BYTES));
    assertEquals(2, NativeMemory.toBoundary(48, Double.BYTES));
  }

  @Test
  void fp64ProductMatchesTripleLoop() {
    double[] expected = y.clone();
    naive(w, false, ROWS, COLS, x, expected);
    new DenseMatrix(ROWS, COLS, w).multAdd(x, X_OFF, X_STRIDE, y, Y_OFF, Y_STRIDE, BATCH);
    assertClose(expected, y, 1e-12);
  }

  @Test
  void fp64TransposedProductMatchesTripleLoop() {
    double[] expected = y.clone();
    naive(w, true, ROWS, COLS, x, expected);
    new DenseMatrix(ROWS, COLS, w).multTransAdd(x, X_OFF, X_STRIDE, y, Y_OFF, Y_STRIDE, BATCH);
    assertClose(expected, y, 1e-12);
  }

  @Test
  void fp32ProductMatchesRoundedTripleLoop() {
    double[] wf = new double[w.length];
    double[] xf = new double[x.length];
    for (int k = 0; k < w.length; k++) {
      wf[k] = (float) w[k];
    }
    for (int k = 0; k < x.length; k++) {
      xf[k] = (float) x[k];
    }
    double[] expected = y.clone();
    naive(wf, false, ROWS, COLS, xf, expected);
    new DenseMatrix(ROWS, COLS, w).withFloat32Kernels().multAdd(x, X_OFF, X_STRIDE, y, Y_OFF, Y_STRIDE, BATCH);
    assertClose(expected, y, 1e-4); // float sums of 130 terms of size ~1
    double[] fp64 = y.clone();
    new DenseMatrix(ROWS, COLS, w).multAdd(x, X_OFF, X_STRIDE, fp64, Y_OFF, Y_STRIDE, BATCH);
    assertTrue(maxDiff(fp64, y) > 0, "the fp32 kernel must round: its result cannot equal fp64 bit for bit");
    // on float32 states (the float32 solve): the same product from float rows into float rows
    float[] x32 = new float[x.length];
    for (int k = 0; k < x.length; k++) {
      x32[k] = (float) x[k];
    }
    float[] y32 = new float[Y_OFF + BATCH * Y_STRIDE];
    new DenseMatrix(ROWS, COLS, w).withFloat32Kernels().multAdd(x32, X_OFF, X_STRIDE, y32, Y_OFF, Y_STRIDE, BATCH);
    double[] product = new double[y32.length];
    naive(wf, false, ROWS, COLS, xf, product);
    for (int k = 0; k < y32.length; k++) {
      assertEquals(product[k], y32[k], 1e-4 * Math.max(1, Math.abs(product[k])), "float states, value " + k);
    }
  }

  /**
   * Dense products on float32 and fp64 states, the tiles read and added in the arrays themselves:
   * onto states that already hold values (a bias), over row and column tiles (m = 100 in two tiles
   * of 50 columns, 1 to 150 samples in tiles of 16 or fewer: register blocks of 1 to 6 rows; m = 13:
   * a panel of one vector and a last one narrower than a vector), x and y both one state array (a
   * block of A reading a later block), against the double triple loop on the float operands; with
   * the tiles of every instruction set this processor runs (OpenBLAS with AVX-512, the C blocks with
   * AVX2 and SSE2); then both weight layouts at each, whichever {@link NativeBlas#weights} picks.
   */
  @Test
  void denseTilesAddIntoTheStatesInPlace() {
    assumeTrue(DirectConv.available(), "the C library was not built (no gcc) or not loaded");
    assertEquals(50, NativeBlas.Tiling.of(100, 784, 150).cols(), "two column tiles");
    try {
      for (int bits : new int[] {512, 256, 128}) {
        if (bits <= DirectConv.vectorWidth()) {
          DirectConv.capVectorBits(bits);
          denseTilesInPlace(new Random(25), 100, new int[] {1, 2, 3, 4, 5, 37, 150});
          denseTilesInPlace(new Random(26), 13, new int[] {3, 37, 150}); // 3: in place below MIN_BATCH
          denseTilesInPlace(new Random(29), 2, new int[] {1, 3, 20}); // float32: in place below MIN_ENTRIES
          for (int panel : new int[] {0, 16}) {
            denseTilesInLayout(new Random(27), 100, panel, new int[] {1, 5, 37});
            denseTilesInLayout(new Random(28), 13, panel, new int[] {7});
          }
        }
      }
    } finally {
      DirectConv.capVectorBits(512);
    }
  }

  private static void denseTilesInPlace(Random r, int m, int[] batches) {
    int k = 784;
    double[] w = widened(Floats.rounded(org.implicit4j.TestModels.randn(r, m * k, 1)));
    DenseMatrix a = new DenseMatrix(m, k, w);
    LinearOperator a32 = a.withFloat32Kernels();
    for (int batch : batches) {
      int n = m + k + 3; // a sample's states: [y block | x block | 3 more]
      float[] states = new float[batch * n];
      for (int i = 0; i < states.length; i++) {
        states[i] = (float) r.nextGaussian();
      }
      double[] want = widened(states);
      for (int s = 0; s < batch; s++) {
        for (int i = 0; i < m; i++) {
          double sum = 0;
          for (int j = 0; j < k; j++) {
            sum += w[i * k + j] * want[s * n + m + j];
          }
          want[s * n + i] += sum;
        }
      }
      double[] states64 = widened(states);
      a32.multAdd(states, m, n, states, 0, n, batch);
      a.multAdd(states64, m, n, states64, 0, n, batch);
      for (int i = 0; i < states.length; i++) {
        assertEquals(want[i], states[i], 1e-4 * Math.max(1, Math.abs(want[i])), "batch " + batch + ", state " + i);
        assertEquals(want[i], states64[i], 1e-12 * Math.max(1, Math.abs(want[i])), "fp64, batch " + batch + ", " + i);
      }
    }
  }

  /**
   * y += W x through {@link NativeBlas#gemm} with W's tiles in the given layout (0: row-major, read
   * by OpenBLAS; else panels of that many floats, half as many doubles, read by the C blocks), in
   * place (float[] and double[] states) and staged (double states, float weights), against the
   * double triple loop on the float operands.
   */
  private static void denseTilesInLayout(Random r, int m, int panel, int[] batches) {
    int k = 784; // m = 100: two column tiles of 50, each 3 whole panels and one of 2 columns
    double[] w = widened(Floats.rounded(org.implicit4j.TestModels.randn(r, m * k, 1)));
    NativeBlas.Weights w32 = NativeBlas.weights(w, true, m, k, true, panel);
    NativeBlas.Weights w64 = NativeBlas.weights(w, true, m, k, false, panel / 2);
    for (int batch : batches) {
      float[] x = new float[batch * k];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      double[] xd = widened(x);
      double[] want = new double[batch * m];
      for (int i = 0; i < want.length; i++) {
        for (int j = 0; j < k; j++) {
          want[i] += w[i % m * k + j] * xd[i / m * k + j];
        }
      }
      float[] y32 = new float[batch * m];
      double[] y64 = new double[batch * m];
      double[] staged = new double[batch * m];
      NativeBlas.gemm(w32, true, m, k, x, 0, k, y32, 0, m, batch);
      NativeBlas.gemm(w64, true, m, k, xd, 0, k, y64, 0, m, batch);
      NativeBlas.gemm(w32, true, m, k, xd, 0, k, staged, 0, m, batch);
      String where = "panel " + panel + ", batch " + batch + ", value ";
      for (int i = 0; i < want.length; i++) {
        double tol = 1e-4 * Math.max(1, Math.abs(want[i]));
        assertEquals(want[i], y32[i], tol, where + i);
        assertEquals(want[i], staged[i], tol, "staged, " + where + i);
        assertEquals(want[i], y64[i], 1e-12 * Math.max(1, Math.abs(want[i])), "fp64, " + where + i);
      }
    }
  }

  /** A dense product whose output overlaps its input in one array keeps the staged path, which copies x first. */
  @Test
  void overlappingDenseRegionsAreStaged() {
    Random r = new Random(26);
    int m = 100;
    int k = 784;
    int batch = 32;
    LinearOperator a32 = new DenseMatrix(m, k, org.implicit4j.TestModels.randn(r, m * k, 1)).withFloat32Kernels();
    float[] one = new float[batch * k + 50];
    for (int i = 0; i < one.length; i++) {
      one[i] = (float) r.nextGaussian();
    }
    float[] want = one.clone();
    a32.multAdd(one.clone(), 0, k, want, 50, k, batch); // x from a copy
    // y_s overlaps x_s; run as an item of a team loop, so that the tiles run one after another on
    // this thread (an in-place tile would then read what the tile before it wrote)
    Parallel.forEach(2, 1 << 20, i -> {
      if (i == 0) {
        a32.multAdd(one, 0, k, one, 50, k, batch);
      }
    });
    for (int i = 0; i < one.length; i++) {
      assertEquals(want[i], one[i], 1e-4 * Math.max(1, Math.abs(want[i])), "value " + i);
    }
  }

  private static double[] widened(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The small-GEMM tiling keeps every tile within OpenBLAS's small-matrix bound and covers the product. */
  @Test
  void tilesStayWithinTheSmallGemmBound() {
    for (int[] mkb : new int[][] {{256, 784, 64}, {256, 256, 256}, {100, 1024, 64}, {10, 256, 1}, {4096, 16, 300}}) {
      NativeBlas.Tiling t = NativeBlas.Tiling.of(mkb[0], mkb[1], mkb[2]);
      assertTrue((long) t.rows() * t.cols() * mkb[1] <= NativeConv.SMALL_MNK || t.rows() == 16 || t.cols() == 16,
          java.util.Arrays.toString(mkb) + ": " + t);
      assertTrue(t.rows() >= 1 && t.rows() <= mkb[2] && t.cols() >= 1 && t.cols() <= mkb[0], t.toString());
    }
    assertTrue(NativeBlas.Tiling.of(256, 4000, 64) == null);
  }

  /**
   * Outputs split into column parts, one per thread, over two GEMM blocks of samples (256 + 44):
   * fp64, its transpose and fp32 against the triple loop, with offsets and strides.
   */
  @Test
  void columnSplitProductsMatchTripleLoop() {
    int rows = 200;
    int cols = 4000; // K beyond the small-GEMM tiles: the column-split path
    int batch = NativeBlas.MAX_BLOCK + 44;
    int stride = cols + 11;
    assumeTrue(NativeBlas.columnParts(rows) > 1 && NativeBlas.columnParts(cols) > 1, "needs two cores");
    assertTrue(NativeBlas.Tiling.of(rows, cols, batch) == null, "K must be too large for small tiles");
    double[] wl = gaussian(rows * cols);
    double[] xl = gaussian(X_OFF + batch * stride);
    double[] yl = gaussian(Y_OFF + batch * stride);
    double[] want = yl.clone();
    naiveSized(wl, false, rows, cols, xl, want, batch, stride);
    double[] got = yl.clone();
    new DenseMatrix(rows, cols, wl).multAdd(xl, X_OFF, stride, got, Y_OFF, stride, batch);
    assertClose(want, got, 1e-10); // sums of 4,000 terms
    want = yl.clone();
    naiveSized(wl, true, rows, cols, xl, want, batch, stride);
    got = yl.clone();
    new DenseMatrix(rows, cols, wl).multTransAdd(xl, X_OFF, stride, got, Y_OFF, stride, batch);
    assertClose(want, got, 1e-10); // sums of 4,000 terms
    want = yl.clone();
    naiveSized(wl, false, rows, cols, xl, want, batch, stride);
    got = yl.clone();
    new DenseMatrix(rows, cols, wl).withFloat32Kernels().multAdd(xl, X_OFF, stride, got, Y_OFF, stride, batch);
    assertClose(want, got, 1e-3);
  }

  /**
   * Streaming in batches of any size (CLI --batch-size) agrees with one batch to rounding: small
   * batches take the Java kernels and OpenBLAS sums leftover tile rows in another order, so bits may
   * differ, the value may not.
   */
  @Test
  void resultDoesNotDependOnBatchSize() {
    for (DenseMatrix a : new DenseMatrix[] {new DenseMatrix(ROWS, COLS, w),
        new DenseMatrix(ROWS, COLS, w).withFloat32Kernels()}) {
      double[] whole = new double[BATCH * ROWS];
      a.multAdd(x, X_OFF, X_STRIDE, whole, 0, ROWS, BATCH);
      double[] oneByOne = new double[BATCH * ROWS];
      for (int s = 0; s < BATCH; s++) {
        a.multAdd(x, X_OFF + s * X_STRIDE, X_STRIDE, oneByOne, s * ROWS, ROWS, 1);
      }
      double[] bySeventeen = new double[BATCH * ROWS];
      for (int s = 0; s < BATCH; s += 17) {
        a.multAdd(x, X_OFF + s * X_STRIDE, X_STRIDE, bySeventeen, s * ROWS, ROWS, Math.min(17, BATCH - s));
      }
      double tol = a.equals(new DenseMatrix(ROWS, COLS, w)) ? 1e-12 : 1e-4;
      assertClose(whole, oneByOne, tol);
      assertClose(whole, bySeventeen, tol);
    }
  }

  /**
   * Convolutions (grouped, strided, dilated and depthwise; a small depthwise one on the Java path;
   * every product path of {@link NativeConv}, {@link ShiftedConv} and {@link UnpaddedConv} several
   * times, at batch 1 split into bands over the threads), against the
   * direct definition: fp64 to 1e-12, fp32 to float precision, one sample and a batch.
   */
  @Test
  void nativeConvolutionMatchesTheDefinition() {
    Random r = new Random(21);
    ConvGeometry[] geometries = {
        new ConvGeometry(8, 12, 12, 16, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        // im2col of 2,304 rows × 2,025 pixels exceeds one 4M-value band: cut into bands even for a batch
        new ConvGeometry(256, 45, 45, 4, 45, 45, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 20, 20, 16, 10, 10, 3, 3, 2, 2, 1, 1, 1, 1, 2),
        new ConvGeometry(6, 14, 14, 6, 10, 10, 3, 3, 1, 1, 0, 0, 2, 2, 6),
        new ConvGeometry(4, 8, 8, 4, 6, 6, 3, 3, 1, 1, 0, 0, 1, 1, 4),
        // ResNet-20's stages: small-GEMM bands of 13 of 32 output rows (split over threads at batch 1),
        // and 64 output channels in GEMM tiles of 16
        new ConvGeometry(16, 32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(64, 8, 8, 64, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        // one GEMM per tap over a phase layout (ShiftedConv): a 1×1 stride-2 kernel reads one phase of
        // four, resnet2b's 4×4 stride-2 kernels all four, a dilated kernel and unequal strides, pads
        // and dilations
        new ConvGeometry(16, 32, 32, 32, 16, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1),
        new ConvGeometry(16, 32, 32, 32, 16, 16, 4, 4, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 30, 30, 32, 26, 26, 3, 3, 1, 1, 0, 0, 2, 2, 1),
        new ConvGeometry(16, 24, 24, 32, 12, 24, 3, 3, 2, 1, 1, 2, 1, 2, 1),
        // few channels: a wide im2col copied from the phase layout (oval21's first layer, a 'valid'
        // 5×5 kernel), and mnist8's 'same' 5×5 kernel as five products of its kernel rows
        new ConvGeometry(3, 32, 32, 8, 16, 16, 4, 4, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(4, 20, 20, 8, 16, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1),
        new ConvGeometry(8, 14, 14, 16, 14, 14, 5, 5, 1, 1, 2, 2, 1, 1, 1),
        // 'same' convolutions the plain im2col keeps: 4 output channels, and a dilated kernel
        new ConvGeometry(8, 10, 10, 4, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(8, 10, 10, 16, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, 1),
        // one input channel, a 5×5 kernel, two groups of 8 → 8, a 1×1 kernel (one unshifted copy):
        // the unpadded products' copies
        new ConvGeometry(1, 28, 28, 8, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1, 1),
        new ConvGeometry(16, 6, 6, 8, 6, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1),
        new ConvGeometry(16, 9, 9, 16, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 2),
        // small images: several samples stacked into one product (resnet2b's 8×8 layers straight
        // from their unpadded images, also with two channel tiles on 4×4 images; its input and
        // stride-2 layers and oval21's second layer from stacked phase layouts)
        new ConvGeometry(16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 4, 4, 40, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(8, 16, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(3, 32, 32, 8, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(8, 16, 16, 16, 8, 8, 4, 4, 2, 2, 1, 1, 1, 1, 1),
        // stride 2 over odd widths, padded by 1 and by 0: one phase gets a column more than the other
        new ConvGeometry(8, 15, 15, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(8, 15, 15, 16, 7, 7, 3, 3, 2, 2, 0, 0, 1, 1, 1)};
    java.util.function.Function<ConvGeometry, String> path = g -> !NativeConv.worthIt(g) ? "java"
        : (ShiftedConv.stacks(g) ? "stacked " : "")
        + (ShiftedConv.unpadded(g) ? "unpadded"
        : ShiftedConv.perTap(g) ? "per tap" : ShiftedConv.applies(g) ? "wide" : "im2col");
    java.util.Map<String, Long> paths = java.util.Arrays.stream(geometries).collect(
        java.util.stream.Collectors.groupingBy(path, java.util.stream.Collectors.counting()));
    assertTrue(paths.getOrDefault("per tap", 0L) >= 4 && paths.getOrDefault("unpadded", 0L) >= 3
        && paths.getOrDefault("wide", 0L) >= 2
        && paths.getOrDefault("stacked per tap", 0L) >= 2 && paths.getOrDefault("stacked wide", 0L) >= 1
        && paths.getOrDefault("stacked unpadded", 0L) >= 2
        && paths.getOrDefault("im2col", 0L) >= 2 && paths.getOrDefault("java", 0L) >= 1, paths.toString());
    for (ConvGeometry g : geometries) {
      double[] k = org.implicit4j.TestModels.randn(r, g.kernelSize(), 1);
      // one operator for all batches: its kept band buffers are reused with new inputs (the repeats
      // find their padding in place; batch 1 and 5 may cut different bands)
      Conv2d conv = new Conv2d(g, k);
      Conv2d conv32 = conv.withFloat32Kernels();
      // Conv2d may run a layer directly (DirectConv, without AVX-512): the GEMM paths are also run themselves
      NativeConv gemm = NativeConv.worthIt(g) ? new NativeConv(g, k, null) : null;
      NativeConv gemm32 = NativeConv.worthIt(g) ? new NativeConv(g, k, Floats.rounded(k)) : null;
      for (int batch : new int[] {1, 5, 5, 1}) {
        double[] x = org.implicit4j.TestModels.randn(r, batch * g.inputSize(), 1);
        double[] want = naiveBatch(g, k, x, batch);
        double[] y = new double[want.length];
        conv.multAdd(x, 0, g.inputSize(), y, 0, g.outputSize(), batch);
        assertClose(want, y, 1e-12);
        double[] yf = new double[want.length];
        conv32.multAdd(x, 0, g.inputSize(), yf, 0, g.outputSize(), batch);
        assertWithinFloatBound(g, k, x, batch, want, yf);
        // new inputs: a kept layout's stale values must not pass for this call's
        double[] x2 = org.implicit4j.TestModels.randn(r, batch * g.inputSize(), 1);
        double[] want2 = naiveBatch(g, k, x2, batch);
        assertWithinFloatBound(g, k, x2, batch, want2, floatStates(conv32, x2, batch));
        if (gemm != null) {
          double[] yg = new double[want.length];
          gemm.multAdd(x, 0, g.inputSize(), yg, 0, g.outputSize(), batch, null, null);
          assertClose(want, yg, 1e-12);
          assertWithinFloatBound(g, k, x2, batch, want2, floatStates(x2, batch * g.outputSize(),
              (xs, ys) -> gemm32.multAdd(xs, 0, g.inputSize(), ys, 0, g.outputSize(), batch, null, null)));
        }
      }
    }
  }

  /** The direct definition, sample by sample. */
  private static double[] naiveBatch(ConvGeometry g, double[] k, double[] x, int batch) {
    double[] want = new double[batch * g.outputSize()];
    for (int s = 0; s < batch; s++) {
      double[] xs = java.util.Arrays.copyOfRange(x, s * g.inputSize(), (s + 1) * g.inputSize());
      System.arraycopy(org.implicit4j.TestModels.naiveConv(g, k, xs), 0, want, s * g.outputSize(), g.outputSize());
    }
    return want;
  }

  /**
   * |got − want| ≤ (n + 2)·2⁻²⁴·Σ|k||x| per output, n the terms of its sum: float32 rounding of the
   * kernel and the input (a relative 2⁻²⁴ each) and of n − 1 additions in any order (Higham, Accuracy
   * and Stability of Numerical Algorithms, §3.1), to first order.
   */
  private static void assertWithinFloatBound(ConvGeometry g, double[] k, double[] x, int batch, double[] want,
      double[] got) {
    double[] mags = naiveBatch(g, abs(k), abs(x), batch);
    double u = (g.cinPerGroup() * g.kh() * g.kw() + 2) * 0x1p-24;
    for (int i = 0; i < want.length; i++) {
      assertTrue(Math.abs(got[i] - want[i]) <= u * mags[i] + 1e-30, g + ": output " + i + " is " + got[i]
          + ", the definition " + want[i] + ", beyond float32's bound " + u * mags[i]);
    }
  }

  private static double[] abs(double[] v) {
    double[] a = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.abs(v[i]);
    }
    return a;
  }

  /** op applied to float32 states (x rounded to float, y starting at 0), widened for comparison. */
  private static double[] floatStates(LinearOperator op, double[] x, int batch) {
    return floatStates(x, batch * op.rows(), (xf, yf) -> op.multAdd(xf, 0, op.cols(), yf, 0, op.rows(), batch));
  }

  /** A float32 product (x rounded to float, into {@code outputs} zeros), widened for comparison. */
  private static double[] floatStates(double[] x, int outputs, java.util.function.BiConsumer<float[], float[]> product) {
    float[] yf = new float[outputs];
    product.accept(Floats.rounded(x), yf);
    return widened(yf);
  }

  /**
   * diag(l)·conv·diag(r) against scaling by hand: scalings that vary within a channel fused into the
   * OpenBLAS gather and epilogue, and per-channel ones (batch norm) multiplied into a float32 kernel,
   * for a plain and a grouped convolution.
   */
  @Test
  void scaledConvolutionFusesItsScalings() {
    Random r = new Random(22);
    for (ConvGeometry g : new ConvGeometry[] {new ConvGeometry(8, 12, 12, 16, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 20, 20, 32, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 2)}) {
      double[] k = org.implicit4j.TestModels.randn(r, g.kernelSize(), 1);
      for (boolean perChannel : new boolean[] {false, true}) {
        double[] left = scaling(r, g.cout(), g.oh() * g.ow(), perChannel);
        double[] right = scaling(r, g.cin(), g.h() * g.w(), perChannel);
        assertEquals(perChannel, new Conv2d(g, k).withChannelScalings(left, right) != null);
        for (int batch : new int[] {1, 3}) {
          double[] x = org.implicit4j.TestModels.randn(r, batch * g.inputSize(), 1);
          double[] want = scaledByHand(g, k, left, right, x, batch);
          for (boolean fp32 : new boolean[] {false, true}) {
            LinearOperator op = ScaledOperator.of(left, new Conv2d(g, k), right);
            op = fp32 ? op.withFloat32Kernels() : op;
            double[] y = new double[want.length];
            op.multAdd(x, 0, g.inputSize(), y, 0, g.outputSize(), batch);
            assertClose(want, y, fp32 ? 1e-4 : 1e-12);
            assertClose(want, floatStates(op, x, batch), 1e-4);
          }
        }
      }
    }
  }

  /** Random scalings, one value per channel's plane when {@code perChannel}. */
  private static double[] scaling(Random r, int channels, int plane, boolean perChannel) {
    double[] s = org.implicit4j.TestModels.randn(r, channels * plane, 1);
    for (int i = 0; perChannel && i < s.length; i++) {
      s[i] = s[i / plane * plane];
    }
    return s;
  }

  private static double[] scaledByHand(ConvGeometry g, double[] k, double[] left, double[] right, double[] x,
      int batch) {
    double[] want = new double[batch * g.outputSize()];
    for (int s = 0; s < batch; s++) {
      double[] xs = new double[g.inputSize()];
      for (int j = 0; j < xs.length; j++) {
        xs[j] = right[j] * x[s * g.inputSize() + j];
      }
      double[] ys = org.implicit4j.TestModels.naiveConv(g, k, xs);
      for (int i = 0; i < ys.length; i++) {
        want[s * g.outputSize() + i] = left[i] * ys[i];
      }
    }
    return want;
  }

  /**
   * The native adjoint against the (definition-checked) forward product: ⟨y, A x⟩ = ⟨Aᵀ y, x⟩ for
   * every sample, plain and scaled, grouped and strided, fp64 to 1e-12 and fp32 to float precision.
   */
  @Test
  void nativeTransposedConvolutionIsTheAdjoint() {
    Random r = new Random(23);
    ConvGeometry[] geometries = {new ConvGeometry(8, 12, 12, 16, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 20, 20, 16, 10, 10, 3, 3, 2, 2, 1, 1, 1, 1, 2)};
    for (ConvGeometry g : geometries) {
      double[] k = org.implicit4j.TestModels.randn(r, g.kernelSize(), 1);
      LinearOperator plain = new Conv2d(g, k);
      LinearOperator scaled = ScaledOperator.of(org.implicit4j.TestModels.randn(r, g.outputSize(), 1), plain,
          org.implicit4j.TestModels.randn(r, g.inputSize(), 1));
      LinearOperator[] ops = {plain, scaled, plain.withFloat32Kernels(), scaled.withFloat32Kernels()};
      for (int o = 0; o < ops.length; o++) {
        LinearOperator op = ops[o];
        double tol = o < 2 ? 1e-12 : 1e-4;
        int batch = 3;
        double[] x = org.implicit4j.TestModels.randn(r, batch * op.cols(), 1);
        double[] y = org.implicit4j.TestModels.randn(r, batch * op.rows(), 1);
        double[] ax = new double[y.length];
        double[] aty = new double[x.length];
        op.multAdd(x, 0, op.cols(), ax, 0, op.rows(), batch);
        op.multTransAdd(y, 0, op.rows(), aty, 0, op.cols(), batch);
        for (int s = 0; s < batch; s++) {
          double lhs = dot(y, ax, s * op.rows(), op.rows());
          double rhs = dot(aty, x, s * op.cols(), op.cols());
          double scale = Math.sqrt(dot(y, y, s * op.rows(), op.rows()) * dot(ax, ax, s * op.rows(), op.rows()));
          assertEquals(lhs, rhs, tol * Math.max(1, scale), op.kind() + " sample " + s);
        }
      }
    }
  }

  private static double dot(double[] a, double[] b, int off, int len) {
    double t = 0;
    for (int i = off; i < off + len; i++) {
      t += a[i] * b[i];
    }
    return t;
  }

  private static void naive(double[] w, boolean trans, int rows, int cols, double[] x, double[] y) {
    naive(w, trans, rows, cols, x, X_STRIDE, y, Y_STRIDE, BATCH);
  }

  /** {@link #naive} with both strides {@code stride}. */
  private static void naiveSized(double[] w, boolean trans, int rows, int cols, double[] x, double[] y, int batch,
      int stride) {
    naive(w, trans, rows, cols, x, stride, y, stride, batch);
  }

  private static void naive(double[] w, boolean trans, int rows, int cols, double[] x, int xStride, double[] y,
      int yStride, int batch) {
    int in = trans ? rows : cols;
    int out = trans ? cols : rows;
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < out; i++) {
        double sum = 0;
        for (int j = 0; j < in; j++) {
          double wij = trans ? w[j * cols + i] : w[i * cols + j];
          sum += wij * x[X_OFF + s * xStride + j];
        }
        y[Y_OFF + s * yStride + i] += sum;
      }
    }
  }

  private static void assertClose(double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    assertTrue(maxDiff(expected, actual) <= tol, "max abs difference " + maxDiff(expected, actual));
  }

  private static double maxDiff(double[] a, double[] b) {
    double m = 0;
    for (int k = 0; k < a.length; k++) {
      m = Math.max(m, Math.abs(a[k] - b[k]));
    }
    return m;
  }

  private double[] gaussian(int n) {
    double[] a = new double[n];
    for (int k = 0; k < n; k++) {
      a[k] = random.nextGaussian();
    }
    return a;
  }
}
