package org.implicit4j.linalg;

/** Float32 batches through an operator's double product: the default of the float32 multAdd. */
final class Floats {
  private Floats() {}

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
