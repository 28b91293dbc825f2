package org.implicit4j.api;

import java.util.List;
import org.implicit4j.report.LayerComparison;
import org.implicit4j.report.VerificationReport;

/**
 * An ONNX network imported and checked against ONNX Runtime: the model (its file manifest records
 * the summary when it passed), the report, and the per-layer comparison when asked for.
 */
public record Verification(Implicit model, VerificationReport report, List<LayerComparison> layers) {
  public boolean passed() {
    return report.passed();
  }
}
