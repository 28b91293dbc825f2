package org.implicit4j.verify;

import org.implicit4j.solve.Solution;
import java.util.Locale;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.report.VerificationReport;

/**
 * Accumulates how implicit-model outputs agree with reference outputs, sample by sample: a sample
 * matches when every output satisfies |ŷ − ref| ≤ atol + rtol·|ref|. Shared by every verification.
 */
public final class Agreement {
  private final double atol;
  private final double rtol;
  private int samples;
  private int matched;
  private int argmax;
  private double maxAbs;
  private double maxRel;
  private String first;

  public Agreement(double atol, double rtol) {
    this.atol = atol;
    this.rtol = rtol;
  }

  /** Adds one sample's outputs. */
  public void add(double[] got, double[] ref) {
    DimensionMismatchException.check("verify", "model outputs", got.length, "reference outputs", ref.length);
    boolean ok = true;
    for (int i = 0; i < ref.length; i++) {
      double d = Math.abs(got[i] - ref[i]);
      maxAbs = Math.max(maxAbs, d);
      if (ref[i] != 0) {
        maxRel = Math.max(maxRel, d / Math.abs(ref[i]));
      }
      if (!(d <= atol + rtol * Math.abs(ref[i]))) {
        if (ok && first == null) {
          first = String.format(Locale.ROOT, "sample %d output %d: implicit %.9g vs ONNX Runtime %.9g", samples, i,
              got[i], ref[i]);
        }
        ok = false;
      }
    }
    matched += ok ? 1 : 0;
    argmax += Solution.argmax(ref) == Solution.argmax(got) ? 1 : 0;
    samples++;
  }

  public VerificationReport report(String solveReport) {
    return new VerificationReport(samples, matched, maxAbs, maxRel, argmax, atol, rtol, first, solveReport);
  }
}
