package org.implicit4j.linalg;

import java.util.Objects;

/** Float32 helpers: values rounded to float, and batches through an operator's double product. */
public final class Floats {
  /** Shorter runs are rounded in Java: the JNI call and pinning cost about as much. */
  static final int IN_C_FROM = 256;

  private Floats() {}

  /**
   * dst[dOff + i] = (float) src[sOff + i] for i in [0, n): in C when the library is loaded and the
   * run is long, else in Java; the same bits either way. JDK 17's C2 does not vectorise the
   * narrowing cast: runs of 12,544 values (mnistfc's chunk of 16 inputs) from a 1.6 MB batch took
   * 0.46–0.59 ns a value in Java, 0.18 in C (Zen 3); mnistfc's float32 solve at batch 256 was
   * faster in 4 of 5 alternated pairs (medians 976 against 1,026 µs).
   *
   * @throws IndexOutOfBoundsException when either run leaves its array
   */
  public static void round(double[] src, int sOff, float[] dst, int dOff, int n) {
    Objects.checkFromIndexSize(sOff, n, src.length);
    Objects.checkFromIndexSize(dOff, n, dst.length);
    if (n >= IN_C_FROM && DirectConv.available() && roundInC(src, sOff, dst, dOff, n)) {
      return;
    }
    for (int i = 0; i < n; i++) {
      dst[dOff + i] = (float) src[sOff + i];
    }
  }

  /** {@link #round} in C; false, having written nothing, when the JVM could not pin an array. */
  private static native boolean roundInC(double[] src, int sOff, float[] dst, int dOff, int n);

  /** (double) f[from + i] for i in [0, len): exact, every float is a double. */
  public static double[] widened(float[] f, int from, int len) {
    Objects.checkFromIndexSize(from, len, f.length);
    double[] d = new double[len];
    for (int i = 0; i < len; i++) {
      d[i] = f[from + i];
    }
    return d;
  }

  /** d rounded to float, entry by entry: the float copy of a structure's values for float32 states. */
  public static float[] rounded(double[] d) {
    float[] f = new float[d.length];
    round(d, 0, f, 0, d.length);
    return f;
  }

  /** y_s += (float) (M · (double) x_s). */
  static void viaDouble(LinearOperator op, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
      int batch) {
    int n = op.cols();
    int m = op.rows();
    double[] xd = new double[batch * n];
    for (int s = 0; s < batch; s++) {
      for (int j = 0; j < n; j++) {
        xd[s * n + j] = x[xOff + s * xStride + j];
      }
    }
    double[] yd = new double[batch * m];
    op.multAdd(xd, 0, n, yd, 0, m, batch);
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < m; i++) {
        y[yOff + s * yStride + i] += (float) yd[s * m + i];
      }
    }
  }
}
