package org.implicit4j.solve;

import org.implicit4j.report.SolveReport;

/**
 * Predictions ŷ = Cx + Du + c of a batch (batch × q, sample s at s·q) without the states they came
 * from: what {@link Solver#predict} returns, so that a solver need not hold batch × n states.
 */
public record Predictions(double[] outputs, int q, int batch, SolveReport report) {
  /** The prediction for sample s. */
  public double[] output(int s) {
    return java.util.Arrays.copyOfRange(outputs, s * q, (s + 1) * q);
  }
}
