package org.implicit4j.solve;

import org.implicit4j.report.SolveReport;

/**
 * The result of a batched solve: states x (batch × n) and predictions ŷ (batch × q), each sample
 * contiguous (sample s of the states starts at s·n), with the report.
 */
public record Solution(double[] states, double[] outputs, int n, int q, int batch, SolveReport report) {
  /** The prediction for sample s. */
  public double[] output(int s) {
    double[] y = new double[q];
    System.arraycopy(outputs, s * q, y, 0, q);
    return y;
  }

  /** The predicted class of an output vector: the index of its largest entry (the first on ties). */
  public static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The state for sample s. */
  public double[] state(int s) {
    double[] x = new double[n];
    System.arraycopy(states, s * n, x, 0, n);
    return x;
  }
}
