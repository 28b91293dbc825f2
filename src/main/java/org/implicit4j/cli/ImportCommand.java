package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.VerificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `import MODEL.onnx -o MODEL_FILE`: converts, verifies, and writes the model file atomically. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Convert an ONNX network to an implicit model file (strictly upper-triangular A), verified against "
        + "ONNX Runtime unless --no-verify; the summary is stored in the file's manifest. Nothing is written when "
        + "conversion or verification fails.")
final class ImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX network.")
  Path onnx;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL_FILE", description = "Where to write the model.")
  Path output;

  @Option(names = "--no-verify", description = "Skip the check against ONNX Runtime.")
  boolean noVerify;

  @Option(names = "--samples", defaultValue = "100", description = "Random inputs to verify on. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImplicitModel m;
    if (noVerify) {
      m = OnnxImporter.importFile(onnx, ModelSource.options(onnxOptions.inputShapes)).model();
    } else {
      VerifyCommand.Verified v = VerifyCommand.run(onnx, onnxOptions, samples, 42, null, 1e-5, 1e-4,
          spec.commandLine().getErr(), null);
      VerificationReport rep = v.report();
      m = v.imported().model();
      spec.commandLine().getErr().println(rep.summary());
      if (!rep.passed()) {
        spec.commandLine().getErr().println("error: verification failed; " + output + " not written");
        return ExitCodes.CHECK_FAILED;
      }
      m = m.withMetadata("verification", rep.summary());
    }
    ModelFiles.save(m, output);
    spec.commandLine().getOut().printf("wrote %s: n=%d, p=%d, q=%d, %d state blocks%n", output, m.n(), m.p(), m.q(),
        m.states().size());
    return ExitCodes.OK;
  }
}
