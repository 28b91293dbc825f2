package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.Verification;
import org.implicit4j.api.VerifyOptions;
import org.implicit4j.model.ImplicitModel;
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

  @Option(names = "--samples", defaultValue = "" + Defaults.SAMPLES,
      description = "Random inputs to verify on. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Outputs.notAnInput(output, onnx);
    Implicit m;
    if (noVerify) {
      m = Implicit.load(onnx, onnxOptions.load());
    } else {
      Verification v;
      try (Progress bar = new Progress("verify", samples, onnxOptions.quiet)) {
        v = Implicit.verify(onnx, VerifyOptions.defaults().withSamples(samples).withLoad(onnxOptions.load())
            .withProgress(bar));
      }
      spec.commandLine().getErr().println(v.report().solveReport());
      spec.commandLine().getErr().println(v.report().summary());
      if (!v.passed()) {
        spec.commandLine().getErr().println("error: verification failed; " + output + " not written");
        return ExitCodes.CHECK_FAILED;
      }
      m = v.model();
    }
    m.save(output);
    ImplicitModel im = m.model();
    spec.commandLine().getOut().printf("wrote %s: n=%d, p=%d, q=%d, %d state blocks%n", output, im.n(), im.p(), im.q(),
        im.states().size());
    return ExitCodes.OK;
  }
}
