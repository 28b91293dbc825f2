package org.implicit4j.report;

import java.util.Locale;

/**
 * The outcome of checking an imported model against ONNX Runtime: a sample matches when every
 * output satisfies |ŷ − ref| ≤ atol + rtol·|ref|.
 */
public record VerificationReport(int samples, int matched, double maxAbsError, double maxRelError,
    int argmaxAgreements, double atol, double rtol, String firstMismatch, String solveReport) {

  public boolean passed() {
    return matched == samples;
  }

  /** One line for the CLI and for model file manifests. */
  public String summary() {
    return String.format(Locale.ROOT,
        "%s: %d/%d samples matched ONNX Runtime (atol %.1e, rtol %.1e); max abs error %.3e, max rel error %.3e; "
            + "argmax agreed on %d/%d",
        passed() ? "PASS" : "FAIL", matched, samples, atol, rtol, maxAbsError, maxRelError, argmaxAgreements, samples)
        + (firstMismatch == null ? "" : "; first mismatch: " + firstMismatch);
  }
}
