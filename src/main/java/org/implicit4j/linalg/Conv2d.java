package org.implicit4j.linalg;

import java.util.Arrays;

/**
 * A 2-D convolution (cross-correlation, as in ONNX Conv) as a linear operator, kept as its kernel
 * and geometry and applied directly; the Toeplitz matrix is only built by {@link #toSparse()}.
 * y[o, oy, ox] = Σ_{c, ky, kx} K[o, c, ky, kx] · x[g·cinPerGroup + c, iy, ix] (see {@link ConvGeometry}).
 */
public final class Conv2d implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.conv2d(this);
  }

  private final ConvGeometry g;
  private final double[] kernel;
  /** Non-null when products run in float32 (inputs and kernel rounded to float, sums in float). */
  private final float[] kernel32;
  /** The geometry of Kᵀ as a convolution ({@link #transposedGeometry}), or null. */
  private final ConvGeometry transposed;

  /** @param kernel (cout, cin/groups, kh, kw) in C order; taken over, not copied */
  public Conv2d(ConvGeometry geometry, double[] kernel) {
    this(geometry, kernel, false);
  }

  private Conv2d(ConvGeometry geometry, double[] kernel, boolean float32) {
    DimensionMismatchException.check("conv2d", "kernel length", kernel.length, "cout·cin/groups·kh·kw", geometry.kernelSize());
    this.g = geometry;
    this.kernel = kernel;
    this.kernel32 = float32 ? Floats.rounded(kernel) : null;
    this.transposed = transposedGeometry(geometry);
  }

  /**
   * The same convolution computing in float32: twice the SIMD lanes of double, for networks whose
   * weights are float32 anyway. The double path stays the reference (verification uses it).
   */
  @Override
  public Conv2d withFloat32Kernels() {
    return kernel32 != null ? this : new Conv2d(g, kernel, true);
  }

  public boolean isFloat32() {
    return kernel32 != null;
  }

  /**
   * diag(l)·K·diag(r) as one convolution when l is constant over each output channel and r over each
   * input channel (batch norm, per-channel rescaling): K'[o, c, ky, kx] = l_o·K[o, c, ky, kx]·r_c, in
   * this convolution's precision; null when a scaling varies within a channel. Null sides are 1.
   */
  Conv2d withChannelScalings(double[] left, double[] right) {
    double[] lo = perChannel(left, g.cout(), g.oh() * g.ow());
    double[] ri = perChannel(right, g.cin(), g.h() * g.w());
    if (lo == null || ri == null) {
      return null;
    }
    int cpg = g.cinPerGroup();
    int taps = g.kh() * g.kw();
    double[] k = new double[kernel.length];
    for (int i = 0; i < k.length; i++) {
      int o = i / (cpg * taps);
      int c = o / g.coutPerGroup() * cpg + i / taps % cpg; // the input channel of the kernel's column
      k[i] = lo[o] * kernel[i] * ri[c];
    }
    return new Conv2d(g, k, kernel32 != null);
  }

  /** The per-channel value of a scaling constant over each channel's plane; ones for null; null if it varies. */
  private static double[] perChannel(double[] s, int channels, int plane) {
    double[] v = new double[channels];
    for (int c = 0; c < channels; c++) {
      v[c] = s == null ? 1.0 : s[c * plane];
      for (int i = 1; s != null && i < plane; i++) {
        if (s[c * plane + i] != v[c]) {
          return null;
        }
      }
    }
    return v;
  }

  public ConvGeometry geometry() { return g; }

  public double[] kernelCopy() { return kernel.clone(); }

  @Override public int rows() { return g.outputSize(); }

  @Override public int cols() { return g.inputSize(); }

  /**
   * Lowers each sample to im2col form (rows (c, ky, kx), columns output pixels; taps in padding are 0)
   * and accumulates y_o += Σ_k K[o, k] · col_k as long contiguous AXPYs over the output plane, four
   * output channels at a time so that each col row is loaded once per four channels. Samples run
   * in parallel; a single sample splits its output channels instead.
   */
  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (multAddScaled(x, xOff, xStride, y, yOff, yStride, batch, null, null)) {
      return;
    }
    if (batch > 1) {
      Parallel.forEach(batch, g.macs(), s -> {
        for (int grp = 0; grp < g.groups(); grp++) {
          convGroup(x, xOff + s * xStride, grp, 0, g.coutPerGroup(), y, yOff + s * yStride);
        }
      });
      return;
    }
    for (int grp = 0; grp < g.groups(); grp++) {
      int opg = g.coutPerGroup();
      int chunks = Math.max(1, Math.min(opg / 4, Runtime.getRuntime().availableProcessors() * 2));
      int group = grp;
      if (kernel32 != null) {
        float[][] col = im2colF(x, xOff, grp);
        Parallel.forEach(chunks, g.macs() / Math.max(1, g.groups() * chunks), c ->
            gemmRowsF(col, group, (int) ((long) opg * c / chunks), (int) ((long) opg * (c + 1) / chunks), y, yOff));
      } else {
        double[][] col = im2col(x, xOff, grp);
        Parallel.forEach(chunks, g.macs() / Math.max(1, g.groups() * chunks), c ->
            gemmRows(col, group, (int) ((long) opg * c / chunks), (int) ((long) opg * (c + 1) / chunks), y, yOff));
      }
    }
  }

  /** The float32 product: OpenBLAS's path reads float states as they are; others go through double. */
  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    if (!multAddScaled(x, xOff, xStride, y, yOff, yStride, batch, null, null)) {
      Floats.viaDouble(this, x, xOff, xStride, y, yOff, yStride, batch);
    }
  }

  /** The OpenBLAS path, made on first use (it copies the kernel per group). */
  private volatile NativeConv nativeConv;

  private NativeConv nativeConv() {
    NativeConv c = nativeConv;
    if (c == null) {
      c = new NativeConv(g, kernel, kernel32);
      nativeConv = c;
    }
    return c;
  }

  /**
   * Kᵀ of a stride-1 convolution as a convolution of the output: (Kᵀy)[c, i, j] = Σ_(o, ky, kx)
   * K[o, c, ky, kx]·y[o, i + p_t − ky, j + p_l − kx] (o over c's group), the kernel flipped with its
   * channels swapped within each group and padded by k − 1 − p; null for other strides, dilations,
   * or pads beyond k − 1.
   */
  static ConvGeometry transposedGeometry(ConvGeometry g) {
    boolean plain = g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1;
    if (!plain || g.padTop() < 0 || g.padLeft() < 0 || g.padTop() >= g.kh() || g.padLeft() >= g.kw()) {
      return null;
    }
    return new ConvGeometry(g.cout(), g.oh(), g.ow(), g.cin(), g.h(), g.w(), g.kh(), g.kw(), 1, 1,
        g.kh() - 1 - g.padTop(), g.kw() - 1 - g.padLeft(), 1, 1, g.groups());
  }

  /**
   * K'[c, o', ky, kx] = K[o, c', k_h − 1 − ky, k_w − 1 − kx] for c = g·cpgIn + c' and o = g·cpgOut + o'
   * in each group g: the kernel of {@link #transposedGeometry}, whose groups take cpgOut channels in.
   */
  static double[] transposedKernel(ConvGeometry g, double[] kernel) {
    int taps = g.kh() * g.kw();
    int cpgIn = g.cinPerGroup();
    int cpgOut = g.coutPerGroup();
    double[] t = new double[kernel.length];
    for (int o = 0; o < g.cout(); o++) {
      int group = o / cpgOut;
      for (int cl = 0; cl < cpgIn; cl++) {
        int c = group * cpgIn + cl;
        for (int tap = 0; tap < taps; tap++) {
          t[(c * cpgOut + o % cpgOut) * taps + taps - 1 - tap] = kernel[(o * cpgIn + cl) * taps + tap];
        }
      }
    }
    return t;
  }

  /** The direct path of the adjoint (fp64), made on first use. */
  private volatile DirectConv directTransposed;

  private DirectConv directTransposed() {
    DirectConv c = directTransposed;
    if (c == null) {
      c = new DirectConv(transposed, transposedKernel(g, kernel), false);
      directTransposed = c;
    }
    return c;
  }

  /** The direct path of strided layers, in this convolution's precision, made on first use (it repacks the kernel). */
  private volatile DirectConv directConv;

  private DirectConv directConv() {
    DirectConv c = directConv;
    if (c == null) {
      c = new DirectConv(g, kernel, kernel32 != null);
      directConv = c;
    }
    return c;
  }

  /**
   * y += diag(left)·K·diag(right)·x with the scalings fused into the OpenBLAS path's gather and
   * epilogue, x and y both double[] or both float[] (float32 states, for a float32 kernel); false
   * (nothing done) when that path does not apply and the caller must scale itself.
   */
  boolean multAddScaled(Object x, int xOff, int xStride, Object y, int yOff, int yStride, int batch, double[] left,
      double[] right) {
    boolean sameType = x instanceof float[] ? y instanceof float[] && kernel32 != null : kernel32 == null;
    if (sameType && left == null && right == null && DirectConv.suits(g)
        && DirectConv.apart(x, xOff, xStride, g.inputSize(), y, yOff, yStride, g.outputSize())) {
      directConv().multAdd(x, xOff, xStride, y, yOff, yStride, batch);
      return true;
    }
    if (!NativeConv.worthIt(g) || (x instanceof float[] && kernel32 == null)) {
      return false;
    }
    nativeConv().multAdd(x, xOff, xStride, y, yOff, yStride, batch, left, right);
    return true;
  }

  /**
   * The adjoint y += diag(right)·Kᵀ·diag(left)·x directly ({@link #transposedGeometry}) or through
   * OpenBLAS; false when neither path applies.
   */
  boolean multTransAddScaled(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch,
      double[] left, double[] right) {
    if (left == null && right == null && kernel32 == null && transposed != null && DirectConv.suits(transposed)
        && DirectConv.apart(x, xOff, xStride, g.outputSize(), y, yOff, yStride, g.inputSize())) {
      directTransposed().multAdd(x, xOff, xStride, y, yOff, yStride, batch);
      return true;
    }
    if (!NativeConv.worthIt(g)) {
      return false;
    }
    nativeConv().multTransAdd(x, xOff, xStride, y, yOff, yStride, batch, left, right);
    return true;
  }

  private void convGroup(double[] x, int xo, int grp, int lo, int hi, double[] y, int yo) {
    if (kernel32 != null) {
      gemmRowsF(im2colF(x, xo, grp), grp, lo, hi, y, yo);
    } else {
      gemmRows(im2col(x, xo, grp), grp, lo, hi, y, yo);
    }
  }

  /** {@link #im2col} in float32. */
  private float[][] im2colF(double[] x, int xo, int grp) {
    int cpg = g.cinPerGroup();
    int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw();
    int sh = g.strideH(), sw = g.strideW(), dh = g.dilH(), dw = g.dilW();
    float[][] col = new float[cpg * kh * kw][oh * ow];
    for (int c = 0; c < cpg; c++) {
      int xBase = xo + (grp * cpg + c) * h * w;
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          float[] row = col[(c * kh + ky) * kw + kx];
          int colShift = kx * dw - g.padLeft();
          int oxLo = oxLow(colShift, sw);
          int oxHi = oxHigh(colShift, sw, w, ow);
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - g.padTop() + ky * dh;
            if (iy < 0 || iy >= h) {
              continue;
            }
            int xr = xBase + iy * w + colShift;
            int cr = oy * ow;
            for (int ox = oxLo; ox < oxHi; ox++) {
              row[cr + ox] = (float) x[xr + ox * sw];
            }
          }
        }
      }
    }
    return col;
  }

  /** {@link #gemmRows} in float32, added into the double output. */
  private void gemmRowsF(float[][] col, int grp, int lo, int hi, double[] y, int yo) {
    int kk = col.length;
    int plane = g.oh() * g.ow();
    int oBase = grp * g.coutPerGroup();
    float[] acc0 = new float[plane];
    float[] acc1 = new float[plane];
    float[] acc2 = new float[plane];
    float[] acc3 = new float[plane];
    int o = lo;
    for (; o + 4 <= hi; o += 4) {
      int o0 = oBase + o;
      int k0 = o0 * kk;
      Arrays.fill(acc0, 0f);
      Arrays.fill(acc1, 0f);
      Arrays.fill(acc2, 0f);
      Arrays.fill(acc3, 0f);
      for (int k = 0; k < kk; k++) {
        float w0 = kernel32[k0 + k];
        float w1 = kernel32[k0 + kk + k];
        float w2 = kernel32[k0 + 2 * kk + k];
        float w3 = kernel32[k0 + 3 * kk + k];
        float[] c = col[k];
        for (int p = 0; p < plane; p++) {
          float v = c[p];
          acc0[p] += w0 * v;
          acc1[p] += w1 * v;
          acc2[p] += w2 * v;
          acc3[p] += w3 * v;
        }
      }
      addInto(acc0, y, yo + o0 * plane);
      addInto(acc1, y, yo + (o0 + 1) * plane);
      addInto(acc2, y, yo + (o0 + 2) * plane);
      addInto(acc3, y, yo + (o0 + 3) * plane);
    }
    for (; o < hi; o++) {
      int oc = oBase + o;
      Arrays.fill(acc0, 0f);
      for (int k = 0; k < kk; k++) {
        float w0 = kernel32[oc * kk + k];
        float[] c = col[k];
        for (int p = 0; p < plane; p++) {
          acc0[p] += w0 * c[p];
        }
      }
      addInto(acc0, y, yo + oc * plane);
    }
  }

  private static void addInto(float[] acc, double[] y, int off) {
    for (int p = 0; p < acc.length; p++) {
      y[off + p] += acc[p];
    }
  }

  /**
   * im2col of one sample and group: row (c, ky, kx) is its own array over output pixels (oy, ox);
   * padding taps are 0. Separate row arrays let the GEMM index every array from 0, which the JIT
   * vectorises (an offset into a second array it cannot prove is not the first does not).
   */
  private double[][] im2col(double[] x, int xo, int grp) {
    int cpg = g.cinPerGroup();
    int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw();
    int sh = g.strideH(), sw = g.strideW(), dh = g.dilH(), dw = g.dilW();
    int plane = oh * ow;
    double[][] col = new double[cpg * kh * kw][plane];
    for (int c = 0; c < cpg; c++) {
      int xBase = xo + (grp * cpg + c) * h * w;
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          double[] row = col[(c * kh + ky) * kw + kx];
          int colShift = kx * dw - g.padLeft();
          int oxLo = oxLow(colShift, sw);
          int oxHi = oxHigh(colShift, sw, w, ow);
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - g.padTop() + ky * dh;
            if (iy < 0 || iy >= h) {
              continue;
            }
            int xr = xBase + iy * w + colShift;
            int cr = oy * ow;
            if (sw == 1) {
              System.arraycopy(x, xr + oxLo, row, cr + oxLo, Math.max(0, oxHi - oxLo));
            } else {
              for (int ox = oxLo; ox < oxHi; ox++) {
                row[cr + ox] = x[xr + ox * sw];
              }
            }
          }
        }
      }
    }
    return col;
  }

  /**
   * y[o, :] += Σ_k K[o, k] col[k, :] for group-local output channels [lo, hi): four output rows
   * accumulate together in four arrays, every array indexed from 0 so that the loop vectorises, and
   * each col row is read once per four channels.
   */
  private void gemmRows(double[][] col, int grp, int lo, int hi, double[] y, int yo) {
    int kk = col.length;
    int plane = g.oh() * g.ow();
    int oBase = grp * g.coutPerGroup();
    double[] acc0 = new double[plane];
    double[] acc1 = new double[plane];
    double[] acc2 = new double[plane];
    double[] acc3 = new double[plane];
    int o = lo;
    for (; o + 4 <= hi; o += 4) {
      int o0 = oBase + o;
      int k0 = o0 * kk;
      java.util.Arrays.fill(acc0, 0.0);
      java.util.Arrays.fill(acc1, 0.0);
      java.util.Arrays.fill(acc2, 0.0);
      java.util.Arrays.fill(acc3, 0.0);
      for (int k = 0; k < kk; k++) {
        double w0 = kernel[k0 + k];
        double w1 = kernel[k0 + kk + k];
        double w2 = kernel[k0 + 2 * kk + k];
        double w3 = kernel[k0 + 3 * kk + k];
        double[] c = col[k];
        for (int p = 0; p < plane; p++) {
          double v = c[p];
          acc0[p] += w0 * v;
          acc1[p] += w1 * v;
          acc2[p] += w2 * v;
          acc3[p] += w3 * v;
        }
      }
      addInto(acc0, y, yo + o0 * plane);
      addInto(acc1, y, yo + (o0 + 1) * plane);
      addInto(acc2, y, yo + (o0 + 2) * plane);
      addInto(acc3, y, yo + (o0 + 3) * plane);
    }
    for (; o < hi; o++) {
      int oc = oBase + o;
      java.util.Arrays.fill(acc0, 0.0);
      for (int k = 0; k < kk; k++) {
        double w0 = kernel[oc * kk + k];
        double[] c = col[k];
        for (int p = 0; p < plane; p++) {
          acc0[p] += w0 * c[p];
        }
      }
      addInto(acc0, y, yo + oc * plane);
    }
  }

  private static void addInto(double[] acc, double[] y, int off) {
    for (int p = 0; p < acc.length; p++) {
      y[off + p] += acc[p];
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    if (multTransAddScaled(x, xOff, xStride, y, yOff, yStride, batch, null, null)) {
      return;
    }
    int cin = g.cin();
    // Each input channel receives from its group's output channels only: jobs write disjoint rows.
    Parallel.forEach(batch * cin, g.macs() / cin, job -> {
      int s = job / cin;
      int ci = job % cin;
      transOneInputChannel(x, xOff + s * xStride, y, yOff + s * yStride, ci);
    });
  }

  private void transOneInputChannel(double[] x, int xo, double[] y, int yo, int ci) {
    int cpg = g.cinPerGroup();
    int grp = ci / cpg;
    int c = ci % cpg;
    int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw();
    int sh = g.strideH(), sw = g.strideW(), dh = g.dilH(), dw = g.dilW();
    int yBase = yo + ci * h * w;
    int opg = g.coutPerGroup();
    for (int o = grp * opg; o < (grp + 1) * opg; o++) {
      int xBase = xo + o * oh * ow;
      int kBase = ((o * cpg) + c) * kh * kw;
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          double wv = kernel[kBase + ky * kw + kx];
          if (wv == 0) {
            continue;
          }
          int colShift = kx * dw - g.padLeft();
          int oxLo = oxLow(colShift, sw);
          int oxHi = oxHigh(colShift, sw, w, ow);
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - g.padTop() + ky * dh;
            if (iy < 0 || iy >= h) {
              continue;
            }
            int yr = yBase + iy * w + colShift;
            int xr = xBase + oy * ow;
            for (int ox = oxLo; ox < oxHi; ox++) {
              y[yr + ox * sw] += wv * x[xr + ox];
            }
          }
        }
      }
    }
  }

  /** [lo, hi) of output columns ox whose input column ox·stride + colShift lies in [0, w). */
  private static int oxLow(int colShift, int stride) {
    return colShift >= 0 ? 0 : ceilDiv(-colShift, stride);
  }

  private static int oxHigh(int colShift, int stride, int w, int ow) {
    return Math.min(ow, floorDivPlusOne(w - 1 - colShift, stride));
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  /** Number of ox ≥ 0 with ox·s ≤ a, i.e. floor(a/s)+1, or 0 when a < 0. */
  private static int floorDivPlusOne(int a, int s) {
    return a < 0 ? 0 : a / s + 1;
  }

  /** |conv(K)| = conv(|K|): each (output, input) pair is reached by at most one kernel tap. */
  @Override
  public Conv2d abs() {
    double[] a = new double[kernel.length];
    for (int k = 0; k < a.length; k++) {
      a[k] = Math.abs(kernel[k]);
    }
    return new Conv2d(g, a);
  }

  @Override
  public CsrMatrix toSparse() {
    int rows = rows();
    int cpg = g.cinPerGroup();
    int maxPerRow = cpg * g.kh() * g.kw();
    long cap = (long) rows * maxPerRow;
    if (cap > Integer.MAX_VALUE - 16) {
      throw new DimensionMismatchException("conv2d toSparse: " + cap + " entries exceed one array");
    }
    int[] ptr = new int[rows + 1];
    int[] idx = new int[(int) cap];
    double[] val = new double[(int) cap];
    int k = 0;
    int h = g.h(), w = g.w();
    for (int o = 0; o < g.cout(); o++) {
      int grp = o / g.coutPerGroup();
      for (int oy = 0; oy < g.oh(); oy++) {
        for (int ox = 0; ox < g.ow(); ox++) {
          int row = (o * g.oh() + oy) * g.ow() + ox;
          for (int c = 0; c < cpg; c++) {
            int ci = grp * cpg + c;
            for (int ky = 0; ky < g.kh(); ky++) {
              int iy = oy * g.strideH() - g.padTop() + ky * g.dilH();
              if (iy < 0 || iy >= h) {
                continue;
              }
              for (int kx = 0; kx < g.kw(); kx++) {
                int ix = ox * g.strideW() - g.padLeft() + kx * g.dilW();
                double v = kernel[((o * cpg + c) * g.kh() + ky) * g.kw() + kx];
                if (ix < 0 || ix >= w || v == 0) {
                  continue;
                }
                idx[k] = (ci * h + iy) * w + ix;
                val[k++] = v;
              }
            }
          }
          ptr[row + 1] = k;
        }
      }
    }
    return new CsrMatrix(rows, cols(), ptr, Arrays.copyOf(idx, k), Arrays.copyOf(val, k));
  }

  @Override public long storedValues() { return kernel.length; }

  /** Counts, per non-zero tap, the output pixels whose input pixel lies inside the image. */
  @Override
  public long nnz() {
    long total = 0;
    int cpg = g.cinPerGroup();
    for (int ky = 0; ky < g.kh(); ky++) {
      long rowsIn = 0;
      for (int oy = 0; oy < g.oh(); oy++) {
        int iy = oy * g.strideH() - g.padTop() + ky * g.dilH();
        if (iy >= 0 && iy < g.h()) {
          rowsIn++;
        }
      }
      for (int kx = 0; kx < g.kw(); kx++) {
        long colsIn = 0;
        for (int ox = 0; ox < g.ow(); ox++) {
          int ix = ox * g.strideW() - g.padLeft() + kx * g.dilW();
          if (ix >= 0 && ix < g.w()) {
            colsIn++;
          }
        }
        long taps = 0;
        for (int o = 0; o < g.cout(); o++) {
          for (int c = 0; c < cpg; c++) {
            if (kernel[((o * cpg + c) * g.kh() + ky) * g.kw() + kx] != 0) {
              taps++;
            }
          }
        }
        total += taps * rowsIn * colsIn;
      }
    }
    return total;
  }

  @Override public String kind() { return "conv2d"; }

  @Override
  public boolean equals(Object o) {
    return o instanceof Conv2d c && c.g.equals(g) && Arrays.equals(c.kernel, kernel)
        && c.isFloat32() == isFloat32();
  }

  @Override
  public int hashCode() {
    return g.hashCode() * 31 + Arrays.hashCode(kernel);
  }
}
