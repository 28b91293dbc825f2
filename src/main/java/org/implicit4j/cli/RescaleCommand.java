package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.Rescaled;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `rescale MODEL -o OUT`: the Perron–Frobenius rescaling, predictions unchanged. */
@Command(name = "rescale", mixinStandardHelpOptions = true,
    description = "Rescale a model by a diagonal similarity so that \u2016A\u2016\u221e < \u03ba without changing any "
        + "prediction (needs positively homogeneous activations in the rows that scale). Exit 1 when impossible "
        + "(\u03bbpf(|A|) \u2265 \u03ba, or tanh/sigmoid rows in the way).")
final class RescaleCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--kappa", defaultValue = "" + Defaults.KAPPA,
      description = "Target bound on \u2016A\u2016\u221e. Default: ${DEFAULT-VALUE}.")
  double kappa;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Where to write the rescaled model.")
  Path output;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Outputs.notAnInput(output, model);
    Rescaled r = Implicit.load(model, onnxOptions.load()).rescale(kappa);
    r.model().save(output);
    spec.commandLine().getOut().println(r.report());
    return ExitCodes.OK;
  }
}
