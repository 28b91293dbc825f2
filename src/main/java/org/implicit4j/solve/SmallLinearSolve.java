package org.implicit4j.solve;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Solves the tiny (m×m) systems of Anderson mixing with EJML's LU. */
final class SmallLinearSolve {
  private SmallLinearSolve() {}

  /** x with h x = rhs, or null when h is singular. */
  static double[] solve(double[][] h, double[] rhs) {
    DMatrixRMaj a = new DMatrixRMaj(h);
    DMatrixRMaj b = new DMatrixRMaj(rhs.length, 1, true, rhs);
    DMatrixRMaj x = new DMatrixRMaj(rhs.length, 1);
    if (!CommonOps_DDRM.solve(a, b, x)) {
      return null;
    }
    for (double v : x.data) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    return x.data;
  }
}
