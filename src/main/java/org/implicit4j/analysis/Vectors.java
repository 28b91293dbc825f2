package org.implicit4j.analysis;

import java.util.Arrays;

/** Small vector helpers shared by the analyses. */
final class Vectors {
  private Vectors() {}

  static double[] ones(int n) {
    double[] o = new double[n];
    Arrays.fill(o, 1.0);
    return o;
  }

  /** max(0, max_i v_i): the ∞-norm of a non-negative vector (0 when empty). */
  static double max(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return m;
  }
}
