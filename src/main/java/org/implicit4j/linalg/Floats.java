package org.implicit4j.linalg;

/** Float32 helpers: values rounded to float, and batches through an operator's double product. */
final class Floats {
  private Floats() {}

  /** d rounded to float, entry by entry: the float copy of a structure's values for float32 states. */
  static float[] rounded(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) d[i];
    }
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
