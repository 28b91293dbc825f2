package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.Implicit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `export MODEL -o OUT.onnx`: the implicit model as an ONNX graph ONNX Runtime runs. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a model as ONNX (opset 17, float32, input u [N,p], output y [N,q]): a feed-forward graph when A "
        + "is strictly upper triangular, else a Loop of a fixed number of Picard iterations.")
final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "Where to write (atomically).")
  Path output;

  @Option(names = "--iterations", defaultValue = "0",
      description = "Picard iterations of the Loop for non-triangular models; 0 = enough for 1e-7 relative error when "
          + "\u2016A\u2016\u221e < 1 (rescale first), else 500. Default: ${DEFAULT-VALUE}.")
  int iterations;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Outputs.notAnInput(output, model);
    Implicit m = Implicit.load(model, onnxOptions.load());
    spec.commandLine().getOut().println(m.exportOnnx(output, iterations));
    return ExitCodes.OK;
  }
}
