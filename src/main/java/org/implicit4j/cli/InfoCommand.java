package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.ModelDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `info MODEL`: sizes, shapes, blocks, norms and the well-posedness verdict. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Describe a model: n, p, q, shapes, state and matrix blocks, nnz, \u2016A\u2016\u221e, "
        + "\u03bbpf(|A|), triangularity and the well-posedness verdict.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--json", description = "Print one JSON object (keys n, p, q, inputShape, outputShape, nnz, "
      + "normInf, lambdaPf, strictlyUpperTriangular, wellPosed, verdict, states, blocks).")
  boolean json;

  @picocli.CommandLine.Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ModelDescription d = Implicit.load(model, onnxOptions.load()).describe();
    if (json) {
      spec.commandLine().getOut().println(d.json());
    } else {
      spec.commandLine().getOut().print(d.text(model.toString()));
    }
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
