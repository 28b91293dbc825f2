package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.DataFiles;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.Prediction;
import org.implicit4j.api.SolveOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `predict MODEL --inputs X.csv`: solves the implicit model for each CSV row. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Solve the implicit model for each input row and print the predictions "
        + "(one CSV row per sample, C order); the solve report goes to stderr.")
final class PredictCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--inputs", required = true, paramLabel = "X.csv",
      description = "One sample a row, values flattened in C order of the input shape (CSV, or .npy of shape (N, p)).")
  Path inputs;

  @Option(names = {"-o", "--output"}, paramLabel = "Y.csv",
      description = "Where to write predictions (atomically; .npy by extension, else CSV); stdout when absent.")
  Path output;

  @Option(names = "--solver", defaultValue = "auto",
      description = "auto (back-substitution when A is strictly upper triangular, else anderson), "
          + "back-substitution, picard or anderson. Default: ${DEFAULT-VALUE}.")
  String solver;

  @Option(names = "--tol", defaultValue = "" + Defaults.SOLVER_TOLERANCE,
      description = "Fixed-point tolerance: \u2016g(x)\u2212x\u2016\u221e \u2264 tol\u00b7max(1,\u2016x\u2016\u221e). Default: ${DEFAULT-VALUE}.")
  double tol;

  @Option(names = "--max-iterations", defaultValue = "" + Defaults.MAX_ITERATIONS,
      description = "Iteration limit of picard/anderson; exceeding it is an error (exit 1). Default: ${DEFAULT-VALUE}.")
  int maxIterations;

  @picocli.CommandLine.Mixin OnnxOptions onnxOptions;

  @Option(names = "--float32",
      description = "Solve in float32, as ONNX Runtime runs a float32 network: float32 states and products (about "
          + "twice as fast; float32 rounding). Default: double precision.")
  boolean float32;

  @Option(names = "--batch-size", defaultValue = "256",
      description = "Rows read and solved at a time (memory stays constant in the number of rows). Default: "
          + "${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--require-well-posed",
      description = "Refuse (exit 1) a model whose well-posedness is not shown, instead of warning.")
  boolean requireWellPosed;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Outputs.notAnInput(output, model, inputs);
    SolveOptions opts = SolveOptions.defaults().withSolver(SolveOptions.Solver.parse(solver)).withTolerance(tol)
        .withMaxIterations(maxIterations).withFloat32(float32);
    Implicit m = Implicit.load(model, onnxOptions.load());
    if (requireWellPosed) {
      m.requireWellPosed();
    } else if (!m.wellPosedShown()) {
      spec.commandLine().getErr().println("warning: well-posedness is not shown (" + m.wellPosedness().verdict()
          + "); the equilibrium found may not be unique (--require-well-posed makes this an error)");
    }
    Prediction p;
    try (Progress bar = new Progress("predict", 0, onnxOptions.quiet)) {
      p = m.predictFile(inputs, opts, batchSize, bar);
    }
    if (output == null) {
      spec.commandLine().getOut().print(DataFiles.format(p.outputs()));
      spec.commandLine().getOut().flush();
    } else {
      DataFiles.writeRows(output, p.outputs());
    }
    spec.commandLine().getErr().println(p.report());
    return ExitCodes.OK;
  }
}
