package org.implicit4j.verify;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.implicit4j.io.Csv;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.report.LayerComparison;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.solve.Predictions;
import org.implicit4j.solve.Solvers;

/**
 * Verification, the project's main job: the implicit model and ONNX Runtime on the same inputs,
 * compared sample by sample (|ŷ − ref| ≤ atol + rtol·|ref|). Serves import, verify and the script
 * language alike; the inputs are chosen by the caller (seeded random rows from {@link
 * OrtVerifier#randomInputs} plus any of the user's).
 */
public final class Verifier {
  private Verifier() {}

  /** Tolerances of a comparison. */
  public record Tolerance(double atol, double rtol) {
    public Tolerance {
      if (!(atol >= 0) || !(rtol >= 0)) {
        throw new IllegalArgumentException("tolerances must be non-negative numbers, got atol " + atol + ", rtol " + rtol);
      }
    }
  }

  /**
   * What to compare: the input rows, the tolerances, and whether every state block is compared
   * with the ONNX tensor it reproduces too.
   */
  public record Check(double[][] inputs, Tolerance tolerance, boolean perLayer) {}

  /** An imported network checked against ONNX Runtime; {@code layers} is empty unless asked for. */
  public record OnnxVerification(ImportResult imported, VerificationReport report, List<LayerComparison> layers) {}

  /**
   * Checks {@code imported} (from {@code proto}, read from {@code source}) against ONNX Runtime.
   *
   * @param progress called with the number of samples done; may be null
   */
  public static OnnxVerification verifyOnnx(OnnxMl.ModelProto proto, ImportResult imported, String source,
      Check check, IntConsumer progress) {
    Tolerance tol = check.tolerance();
    try (OrtVerifier v = new OrtVerifier(proto, imported, source, check.perLayer())) {
      VerificationReport rep = v.verify(check.inputs(), tol.atol(), tol.rtol(), progress);
      List<LayerComparison> layers = check.perLayer() ? v.perLayer(check.inputs(), tol.atol(), tol.rtol()) : List.of();
      return new OnnxVerification(imported, rep, layers);
    }
  }

  /** The model against ONNX files run in sequence (each one's outputs feed the next one's inputs). */
  public static VerificationReport verifyPipeline(ImplicitModel m, List<Path> files, double[][] inputs,
      Tolerance tol, IntConsumer progress) {
    Predictions sol = Solvers.predict(m, Csv.flatten(inputs), inputs.length);
    Agreement agreement = new Agreement(tol.atol(), tol.rtol());
    try (OrtPipeline ort = new OrtPipeline(files)) {
      for (int s = 0; s < inputs.length; s++) {
        agreement.add(sol.output(s), ort.run(inputs[s]));
        progress.accept(s + 1);
      }
    }
    return agreement.report(sol.report() + String.format(Locale.ROOT, " (%d ONNX file%s in sequence)", files.size(),
        files.size() == 1 ? "" : "s"));
  }
}
