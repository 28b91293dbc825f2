package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.implicit4j.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The C direct convolution, float32 and fp64, against the definition ({@link TestModels#naiveConv}, in double). */
class DirectConvTest {
  /** Strided layers over the kernel's cases: 8 or 16·k lanes (4, 8, 10, 16, 24, 40 channels), pads, odd sizes, in place. */
  private static final ConvGeometry[] STRIDED = {
      new ConvGeometry(3, 32, 32, 8, 16, 16, 4, 4, 2, 2, 1, 1, 1, 1, 1), // oval21's first layer
      new ConvGeometry(8, 16, 16, 16, 8, 8, 4, 4, 2, 2, 1, 1, 1, 1, 1),
      new ConvGeometry(3, 32, 32, 8, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1), // resnet2b's first layer
      new ConvGeometry(8, 15, 15, 16, 7, 7, 3, 3, 2, 2, 0, 0, 1, 1, 1),
      new ConvGeometry(1, 11, 13, 4, 4, 5, 3, 3, 3, 3, 1, 2, 1, 1, 1), // one input channel, 4 outputs
      new ConvGeometry(5, 9, 9, 10, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1), // 10 channels in 16 lanes
      new ConvGeometry(4, 12, 10, 24, 6, 10, 3, 3, 2, 1, 1, 1, 1, 1, 1), // stride (2, 1)
      new ConvGeometry(2, 10, 12, 40, 8, 6, 3, 2, 1, 2, 0, 1, 1, 1, 1), // stride (1, 2), a 3×2 kernel
      new ConvGeometry(6, 17, 17, 16, 9, 9, 5, 5, 2, 2, 2, 2, 1, 1, 1),
      new ConvGeometry(16, 32, 32, 32, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1), // ResNet-20's 16→32
      new ConvGeometry(2, 9, 21, 16, 4, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1), // the last input columns unread
      new ConvGeometry(8, 16, 16, 16, 8, 8, 1, 1, 2, 2, 0, 0, 1, 1, 1), // resnet2b's 1×1: read in place
      new ConvGeometry(3, 13, 24, 16, 5, 8, 3, 3, 2, 3, 0, 0, 1, 1, 1), // in place, strides (2, 3)
      new ConvGeometry(4, 12, 16, 8, 5, 16, 3, 3, 2, 1, 0, 1, 1, 1, 1), // stride (2, 1): pixel vectors without AVX-512
      new ConvGeometry(4, 12, 23, 16, 6, 8, 3, 3, 2, 3, 0, 0, 1, 1, 1), // bottom and right padding implied
      // one vector of channels, rows of whole vectors: pixel vectors over even/odd columns without AVX-512
      new ConvGeometry(3, 12, 15, 3, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1), // odd left pad, 15-wide rows
      new ConvGeometry(5, 15, 16, 4, 8, 8, 4, 4, 1, 2, 2, 0, 1, 1, 1)}; // stride (1, 2), 4×4

  @BeforeEach
  void library() {
    assumeTrue(DirectConv.available(), "the direct-convolution library was not built (no gcc) or not loaded");
  }

  /**
   * Stride-1 layers (run directly where OpenBLAS lacks small-matrix kernels, without AVX-512): ResNet-20's
   * stages (a lone sample's pixels split over the threads), 1×1 and 5×5 'same' kernels, 4 and 40
   * channels, an image narrower than a register block, and the pixel-vector kernel's cases.
   */
  private static final ConvGeometry[] UNSTRIDED = {
      new ConvGeometry(16, 32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(64, 8, 8, 64, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(16, 6, 6, 24, 6, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1),
      new ConvGeometry(3, 14, 13, 16, 14, 13, 5, 5, 1, 1, 2, 2, 1, 1, 1),
      new ConvGeometry(8, 10, 10, 4, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(16, 4, 4, 40, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(5, 7, 3, 16, 5, 3, 3, 3, 1, 1, 0, 1, 1, 1, 1),
      // pixel vectors (rows of whole vectors): 10 channels in groups of 4, runs across rows, 12-wide
      // rows (fp64 only), a lone sample split at pixel 60 of 120, inside a run of 8
      new ConvGeometry(6, 5, 16, 10, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(4, 6, 12, 8, 6, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(64, 5, 24, 64, 5, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1)};

  /**
   * Depthwise layers (a group a channel): rows of 4 vectors (32), of 2 (16 floats) or 4 (16 doubles),
   * 13-wide rows (a vector, a block of 4 pixels and one), stride 2 (rows of 8 and 19 pixels: whole
   * vectors, then pixels) and (2, 3) with a 3×5 kernel, unpadded (read in place), and 64 channels of
   * 45×45 (a lone sample split at pixel 1,012, inside row 22).
   */
  private static final ConvGeometry[] DEPTHWISE = {
      new ConvGeometry(32, 32, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32),
      new ConvGeometry(24, 16, 16, 24, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 24),
      new ConvGeometry(8, 12, 13, 8, 12, 13, 3, 3, 1, 1, 1, 1, 1, 1, 8),
      new ConvGeometry(16, 16, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 16),
      new ConvGeometry(12, 9, 11, 12, 5, 4, 3, 5, 2, 3, 1, 2, 1, 1, 12),
      new ConvGeometry(16, 8, 8, 16, 6, 6, 3, 3, 1, 1, 0, 0, 1, 1, 16),
      new ConvGeometry(64, 45, 45, 64, 45, 45, 3, 3, 1, 1, 1, 1, 1, 1, 64),
      new ConvGeometry(8, 20, 37, 8, 10, 19, 3, 3, 2, 2, 1, 1, 1, 1, 8)}; // stride 2: vectors, then pixels

  /**
   * Layers run as Winograd whatever their channels (UNSTRIDED's 16+ channel 3×3 layers are so
   * routed, float32 ones of 16–31 channels only on images above 16×16): odd outputs both ways (the
   * last tiles half outside) with 6 output channels (padded to 8), unpadded (5×17 from 7×19),
   * padding only at the top and left (an even left pad: even input columns stay even), 46-wide rows
   * (tiles in whole vectors, a half vector and one at a time), and 9 channels of 3×3 images (one
   * tile row of 2 tiles, both half outside).
   */
  private static final ConvGeometry[] WINOGRAD = {
      new ConvGeometry(8, 9, 11, 6, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(12, 7, 19, 8, 5, 17, 3, 3, 1, 1, 0, 0, 1, 1, 1),
      new ConvGeometry(8, 10, 10, 8, 10, 10, 3, 3, 1, 1, 2, 2, 1, 1, 1),
      new ConvGeometry(8, 6, 46, 12, 6, 46, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      new ConvGeometry(9, 3, 3, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1)};

  /** Several groups of several channels, run group by group: 2 groups strided, 4 groups of 3 → 6. */
  private static final ConvGeometry[] GROUPED = {
      new ConvGeometry(8, 16, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 2),
      new ConvGeometry(12, 10, 10, 24, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 4)};

  @Test
  void routingFollowsTheVectorWidth() {
    for (ConvGeometry g : STRIDED) {
      assertTrue(DirectConv.suits(g), g.toString());
    }
    boolean wide = DirectConv.vectorWidth() == 512;
    for (ConvGeometry g : UNSTRIDED) {
      assertEquals(!wide, DirectConv.suits(g), g.toString()); // stride 1: GEMMs only with AVX-512
    }
    assertEquals(!wide, DirectConv.suits(new ConvGeometry(16, 32, 32, 32, 16, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1)));
    for (ConvGeometry g : DEPTHWISE) {
      assertTrue(DirectConv.suits(g), g.toString()); // at every vector width
    }
    for (ConvGeometry g : GROUPED) {
      assertEquals(!wide, DirectConv.suits(g), g.toString()); // GEMMs with AVX-512
    }
    for (ConvGeometry g : WINOGRAD) {
      assertTrue(DirectConv.winogradShape(g), g.toString());
    }
    for (boolean fp32 : new boolean[] {true, false}) {
      assertTrue(DirectConv.winograd(UNSTRIDED[0], fp32));
      assertTrue(DirectConv.winograd(UNSTRIDED[1], fp32));
      assertFalse(DirectConv.winograd(UNSTRIDED[4], fp32)); // 8 → 4 channels: direct
      assertFalse(DirectConv.winograd(WINOGRAD[0], fp32)); // 8 → 6
    }
    ConvGeometry small = new ConvGeometry(16, 16, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    assertFalse(DirectConv.winograd(small, true)); // float32, 16 channels, 16×16: direct
    assertTrue(DirectConv.winograd(small, false));
    assertTrue(DirectConv.winograd(new ConvGeometry(16, 17, 16, 16, 17, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), true));
    assertTrue(DirectConv.winograd(new ConvGeometry(32, 4, 4, 32, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), true));
    double[] strided = new double[STRIDED[9].kernelSize()];
    assertThrows(IllegalArgumentException.class, () -> new DirectConv(STRIDED[9], strided, true, true));
    // 12,000 channels each way: the kernel fits a Java array (1.3G values), its transform (2.3G) would not
    assertFalse(DirectConv.winograd(new ConvGeometry(12_000, 4, 4, 12_000, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), false));
    assertFalse(DirectConv.winograd(STRIDED[9], false)); // stride 2
    assertFalse(DirectConv.winograd(GROUPED[1], false)); // 4 groups
    ConvGeometry twoOutputs = new ConvGeometry(8, 16, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 8);
    assertFalse(DirectConv.depthwise(twoOutputs)); // 2 output channels a group: grouped, not depthwise
    assertFalse(DirectConv.suits(new ConvGeometry(8, 16, 16, 16, 6, 6, 3, 3, 2, 2, 0, 0, 2, 2, 1))); // dilation
  }

  /**
   * y_s += K x_s for samples at an offset and a stride wider than a sample (both arrays), onto
   * outputs that already hold values, batch 1 and 3: float32 to float precision and fp64 to 1e-12 of
   * the double definition; with the kernels of every instruction set this processor runs (AVX-512,
   * AVX2, SSE2), each with its own register blocks.
   */
  @Test
  void matchesTheDefinitionAtOffsetsAndStrides() {
    Random r = new Random(31);
    try {
      for (int bits : new int[] {512, 256, 128}) {
        if (bits > DirectConv.vectorWidth()) {
          continue;
        }
        DirectConv.capVectorBits(bits);
        for (ConvGeometry g : concat(concat(STRIDED, UNSTRIDED), concat(concat(DEPTHWISE, GROUPED), WINOGRAD))) {
          double[] k = TestModels.randn(r, g.kernelSize(), 1);
          for (boolean fp32 : new boolean[] {true, false}) {
            boolean forced = java.util.Arrays.asList(WINOGRAD).contains(g);
            DirectConv conv = forced ? new DirectConv(g, k, fp32, true) : new DirectConv(g, k, fp32);
            for (int batch : new int[] {1, 3}) {
              checkBatch(r, g, k, conv, fp32, batch);
            }
          }
        }
      }
    } finally {
      DirectConv.capVectorBits(512);
    }
  }

  private static ConvGeometry[] concat(ConvGeometry[] a, ConvGeometry[] b) {
    ConvGeometry[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static void checkBatch(Random r, ConvGeometry g, double[] k, DirectConv conv, boolean fp32, int batch) {
    int xOff = 7;
    int xStride = g.inputSize() + 5;
    int yOff = 3;
    int yStride = g.outputSize() + 2;
    double[] x = randomValues(r, xOff + batch * xStride, fp32);
    // a tail of one more sample: the kernel's zero-padded channels must not be written past cout
    double[] before = randomValues(r, yOff + (batch + 1) * yStride, fp32);
    markOutside(before, yOff, yStride, g.outputSize(), batch);
    Object y = typed(before, fp32);
    conv.multAdd(typed(x, fp32), xOff, xStride, y, yOff, yStride, batch);
    double[] got = widened(y);
    for (int s = 0; s < batch; s++) {
      double[] want = TestModels.naiveConv(g, k, java.util.Arrays.copyOfRange(x, xOff + s * xStride,
          xOff + s * xStride + g.inputSize()));
      for (int i = 0; i < want.length; i++) {
        want[i] += before[yOff + s * yStride + i];
      }
      assertClose(want, got, yOff + s * yStride, fp32 ? 1e-5 : 1e-12,
          g + (fp32 ? " float32" : " fp64") + " batch " + batch + " sample " + s);
    }
    assertUntouched(before, got, yOff, yStride, g.outputSize(), batch);
  }

  /**
   * The adjoint of a stride-1 layer, y += Kᵀx (training's adjoint solves, robustness's |A|ᵀ): through
   * Conv2d (direct without AVX-512, and for depthwise layers) and through a direct convolution of the
   * flipped, channel-swapped kernel ({@link Conv2d#transposedKernel}), against the transpose of the
   * definition; depthwise and 2-group layers too (the latter through Conv2d's GEMMs only); with
   * per-channel scalings (batch norm) folded in, against scaling by hand. Strided layers have no such
   * form.
   */
  @Test
  void adjointsOfStrideOneLayersMatchTheDefinition() {
    Random r = new Random(35);
    ConvGeometry[] grouped = {DEPTHWISE[0], DEPTHWISE[2], DEPTHWISE[5],
        new ConvGeometry(8, 10, 10, 16, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 2)};
    for (ConvGeometry g : concat(UNSTRIDED, grouped)) {
      ConvGeometry gt = Conv2d.transposedGeometry(g);
      double[] k = TestModels.randn(r, g.kernelSize(), 1);
      Conv2d conv = new Conv2d(g, k);
      DirectConv direct = DirectConv.suits(gt) ? new DirectConv(gt, Conv2d.transposedKernel(g, k), false) : null;
      for (int batch : new int[] {1, 3}) {
        double[] x = randomValues(r, batch * g.outputSize(), false);
        double[] before = randomValues(r, batch * g.inputSize(), false);
        double[] want = before.clone();
        for (int s = 0; s < batch; s++) {
          transposeOfDefinition(g, k, x, s * g.outputSize(), want, s * g.inputSize());
        }
        double[] viaConv2d = before.clone();
        conv.multTransAdd(x, 0, g.outputSize(), viaConv2d, 0, g.inputSize(), batch);
        assertClose(want, viaConv2d, 0, 1e-12, g + " Conv2d adjoint, batch " + batch);
        if (direct != null) {
          double[] viaDirect = before.clone();
          direct.multAdd(x, 0, g.outputSize(), viaDirect, 0, g.inputSize(), batch);
          assertClose(want, viaDirect, 0, 1e-12, g + " direct adjoint, batch " + batch);
        }
      }
    }
    assertNull(Conv2d.transposedGeometry(STRIDED[0]));
    assertNull(Conv2d.transposedGeometry(DEPTHWISE[3]));
    ConvGeometry g = UNSTRIDED[0];
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    double[] left = perChannel(TestModels.randn(r, g.cout(), 1), g.oh() * g.ow());
    double[] right = perChannel(TestModels.randn(r, g.cin(), 1), g.h() * g.w());
    double[] x = randomValues(r, g.outputSize(), false);
    double[] want = new double[g.inputSize()];
    double[] lx = x.clone();
    for (int i = 0; i < lx.length; i++) {
      lx[i] *= left[i];
    }
    transposeOfDefinition(g, k, lx, 0, want, 0);
    for (int i = 0; i < want.length; i++) {
      want[i] *= right[i];
    }
    double[] got = new double[g.inputSize()];
    ScaledOperator.of(left, new Conv2d(g, k), right).multTransAdd(x, 0, g.outputSize(), got, 0, g.inputSize(), 1);
    assertClose(want, got, 0, 1e-12, "batch-normalised adjoint");
  }

  /**
   * y[yo + (c, iy, ix)] += Σ K[o, c', ky, kx]·x[xo + (o, oy, ox)] over the taps of the forward
   * definition, c the c'-th channel of o's group.
   */
  private static void transposeOfDefinition(ConvGeometry g, double[] k, double[] x, int xo, double[] y, int yo) {
    int cpg = g.cinPerGroup();
    for (int o = 0; o < g.cout(); o++) {
      for (int oy = 0; oy < g.oh(); oy++) {
        for (int ox = 0; ox < g.ow(); ox++) {
          for (int cl = 0; cl < cpg; cl++) {
            int c = o / g.coutPerGroup() * cpg + cl;
            for (int ky = 0; ky < g.kh(); ky++) {
              for (int kx = 0; kx < g.kw(); kx++) {
                int iy = oy * g.strideH() - g.padTop() + ky;
                int ix = ox * g.strideW() - g.padLeft() + kx;
                if (iy >= 0 && ix >= 0 && iy < g.h() && ix < g.w()) {
                  y[yo + (c * g.h() + iy) * g.w() + ix] += k[((o * cpg + cl) * g.kh() + ky) * g.kw() + kx]
                      * x[xo + (o * g.oh() + oy) * g.ow() + ox];
                }
              }
            }
          }
        }
      }
    }
  }

  /** Each channel's value repeated over its plane. */
  private static double[] perChannel(double[] v, int plane) {
    double[] s = new double[v.length * plane];
    for (int i = 0; i < s.length; i++) {
      s[i] = v[i / plane];
    }
    return s;
  }

  /** A block reading and writing the same state array (back-substitution's A-block products). */
  @Test
  void readsAndWritesOneArray() {
    Random r = new Random(32);
    ConvGeometry g = STRIDED[1];
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    int n = g.outputSize() + g.inputSize(); // states: [output block | input block]
    for (boolean fp32 : new boolean[] {true, false}) {
      double[] values = randomValues(r, 2 * n, fp32);
      DirectConv conv = new DirectConv(g, k, fp32);
      Object states = typed(values, fp32);
      conv.multAdd(states, g.outputSize(), n, states, 0, n, 2);
      Object separate = typed(values, fp32);
      conv.multAdd(typed(values, fp32), g.outputSize(), n, separate, 0, n, 2);
      assertArrayEquals(widened(separate), widened(states));
    }
  }

  /**
   * The C kernels read x while they write y: one array's regions must be apart sample by sample,
   * or Conv2d keeps the staged path, which copies x first and gets overlapping regions right.
   */
  @Test
  void overlappingRegionsOfOneArrayTakeTheStagedPath() {
    float[] a = new float[100];
    assertTrue(DirectConv.apart(a, 10, 30, 20, new float[100], 0, 30, 10));
    assertTrue(DirectConv.apart(a, 10, 30, 20, a, 0, 30, 10)); // states: [y | x] in each sample
    assertFalse(DirectConv.apart(a, 5, 30, 20, a, 0, 30, 10)); // overlapping
    assertFalse(DirectConv.apart(a, 10, 30, 20, a, 0, 31, 10)); // strides differ
    assertFalse(DirectConv.apart(a, 20, 30, 20, a, 0, 30, 10)); // x spills into the next sample's y
    Random r = new Random(34);
    ConvGeometry g = new ConvGeometry(8, 16, 16, 16, 8, 8, 1, 1, 2, 2, 0, 0, 1, 1, 1); // read in place, unpadded
    assertTrue(DirectConv.suits(g));
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    double[] values = randomValues(r, g.inputSize() + 100, true);
    float[] one = (float[]) typed(values, true);
    float[] want = one.clone();
    LinearOperator conv = new Conv2d(g, k).withFloat32Kernels();
    conv.multAdd(one.clone(), 0, g.inputSize(), want, 100, g.outputSize(), 1); // from a copy of x
    conv.multAdd(one, 0, g.inputSize(), one, 100, g.outputSize(), 1); // y overlaps x
    assertClose(widened(want), widened(one), 0, 1e-5, "overlapping x and y");
  }

  /**
   * A sample's output pixels split over threads at any pixel (DirectConv.multAdd splits a lone large
   * sample): Winograd tiles are 2×2, so a split inside a row pair leaves both parts one tile row to
   * share, each adding only its own pixels; a run of pixel vectors belongs to the part that holds its
   * first pixel. Parts at pixels 37 and 101 (inside row pairs and runs), at every vector width, equal
   * the whole to rounding.
   */
  @Test
  void samplesSplitAtAnyPixel() {
    Random r = new Random(35);
    try {
      for (int bits : new int[] {512, 256, 128}) {
        if (bits > DirectConv.vectorWidth()) {
          continue;
        }
        DirectConv.capVectorBits(bits);
        for (boolean fp32 : new boolean[] {true, false}) {
          ConvGeometry wino = new ConvGeometry(16, 12, 14, 8, 12, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
          checkSplit(r, wino, true, fp32, bits + " bits, Winograd");
          checkSplit(r, STRIDED[2], false, fp32, bits + " bits, resnet2b's first layer");
        }
      }
    } finally {
      DirectConv.capVectorBits(512);
    }
  }

  private static void checkSplit(Random r, ConvGeometry g, boolean winograd, boolean fp32, String what) {
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    DirectConv conv = new DirectConv(g, k, fp32, winograd);
    double[] x = randomValues(r, g.inputSize(), fp32);
    Object whole = typed(new double[g.outputSize()], fp32);
    Object parts = typed(new double[g.outputSize()], fp32);
    int pixels = g.outputSize() / g.cout();
    assertTrue(conv.run(typed(x, fp32), 0, 0, whole, 0, 0, 1, 0, pixels));
    int[] cuts = {0, 37, 101, pixels};
    for (int c = 0; c + 1 < cuts.length; c++) {
      assertTrue(conv.run(typed(x, fp32), 0, 0, parts, 0, 0, 1, cuts[c], cuts[c + 1]));
    }
    what += fp32 ? ", float32" : ", fp64";
    assertArrayEquals(widened(whole), widened(parts), what);
    assertClose(TestModels.naiveConv(g, k, x), widened(whole), 0, fp32 ? 1e-5 : 1e-12, what);
  }

  /** Conv2d sends a strided layer here in both precisions: its result is this kernel's, bit for bit. */
  @Test
  void convolutionsUseIt() {
    Random r = new Random(33);
    ConvGeometry g = STRIDED[0];
    double[] k = TestModels.randn(r, g.kernelSize(), 1);
    double[] x = randomValues(r, 2 * g.inputSize(), true);
    float[] viaConv2d = new float[2 * g.outputSize()];
    new Conv2d(g, k).withFloat32Kernels().multAdd((float[]) typed(x, true), 0, g.inputSize(), viaConv2d, 0,
        g.outputSize(), 2);
    float[] direct = new float[viaConv2d.length];
    new DirectConv(g, k, true).multAdd(typed(x, true), 0, g.inputSize(), direct, 0, g.outputSize(), 2);
    assertArrayEquals(direct, viaConv2d);
    double[] viaConv2d64 = new double[2 * g.outputSize()];
    new Conv2d(g, k).multAdd(x, 0, g.inputSize(), viaConv2d64, 0, g.outputSize(), 2);
    double[] direct64 = new double[viaConv2d64.length];
    new DirectConv(g, k, false).multAdd(x, 0, g.inputSize(), direct64, 0, g.outputSize(), 2);
    assertArrayEquals(direct64, viaConv2d64);
  }

  /** The C side has no bounds checks: a sample past the end of its array is refused before the call. */
  @Test
  void samplesPastTheArrayAreRefused() {
    ConvGeometry g = STRIDED[1];
    DirectConv conv = new DirectConv(g, new double[g.kernelSize()], true);
    float[] x = new float[2 * g.inputSize()];
    DimensionMismatchException e = assertThrows(DimensionMismatchException.class,
        () -> conv.multAdd(x, 0, g.inputSize(), new float[2 * g.outputSize() - 1], 0, g.outputSize(), 2));
    assertTrue(e.getMessage().contains("output") && e.getMessage().contains("exceed"), e.getMessage());
    assertThrows(DimensionMismatchException.class,
        () -> conv.multAdd(x, 1, g.inputSize(), new float[2 * g.outputSize()], 0, g.outputSize(), 2));
  }

  /** Gaussian values, rounded to float when fp32. */
  private static double[] randomValues(Random r, int n, boolean fp32) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = fp32 ? (float) r.nextGaussian() : r.nextGaussian();
    }
    return v;
  }

  private static Object typed(double[] v, boolean fp32) {
    return fp32 ? Floats.rounded(v) : v.clone();
  }

  private static double[] widened(Object v) {
    if (v instanceof double[] d) {
      return d;
    }
    float[] f = (float[]) v;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static void assertClose(double[] want, double[] got, int off, double tol, String what) {
    double scale = 1;
    for (double w : want) {
      scale = Math.max(scale, Math.abs(w));
    }
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[off + i]);
      assertTrue(err <= tol * scale, what + ": value " + i + " off by " + err + " (scale " + scale + ")");
    }
  }

  /** −0 outside the samples' outputs: adding even a zero there turns it into +0. */
  private static void markOutside(double[] y, int yOff, int yStride, int size, int batch) {
    for (int i = 0; i < y.length; i++) {
      if (!inSample(i, yOff, yStride, size, batch)) {
        y[i] = -0.0;
      }
    }
  }

  /** Values between and after the samples' outputs are as they were, bit for bit. */
  private static void assertUntouched(double[] before, double[] y, int yOff, int yStride, int size, int batch) {
    for (int i = 0; i < y.length; i++) {
      if (!inSample(i, yOff, yStride, size, batch)) {
        assertTrue(Double.doubleToRawLongBits(before[i]) == Double.doubleToRawLongBits(y[i]),
            "value " + i + " outside the samples was written");
      }
    }
  }

  private static boolean inSample(int i, int yOff, int yStride, int size, int batch) {
    int rel = i - yOff;
    return rel >= 0 && rel / yStride < batch && rel % yStride < size;
  }
}
