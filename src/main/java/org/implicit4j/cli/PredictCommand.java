package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.io.Csv;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
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
      description = "One sample a row, values flattened in C order of the input shape.")
  Path inputs;

  @Option(names = {"-o", "--output"}, paramLabel = "Y.csv",
      description = "Where to write predictions (atomically); stdout when absent.")
  Path output;

  @Option(names = "--solver", defaultValue = "auto",
      description = "auto (back-substitution when A is strictly upper triangular, else anderson), "
          + "back-substitution, picard or anderson. Default: ${DEFAULT-VALUE}.")
  String solver;

  @Option(names = "--tol", defaultValue = "1e-12",
      description = "Fixed-point tolerance: \u2016g(x)\u2212x\u2016\u221e \u2264 tol\u00b7max(1,\u2016x\u2016\u221e). Default: ${DEFAULT-VALUE}.")
  double tol;

  @Option(names = "--max-iterations", defaultValue = "10000",
      description = "Iteration limit of picard/anderson; exceeding it is an error (exit 1). Default: ${DEFAULT-VALUE}.")
  int maxIterations;

  @picocli.CommandLine.Mixin OnnxOptions onnxOptions;

  @Option(names = "--float32",
      description = "Multiply convolution and dense blocks in float32 (about twice as fast; float32 rounding, as ONNX "
          + "Runtime has on a float32 network). Default: double precision.")
  boolean float32;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImplicitModel m = ModelSource.load(model, ModelSource.options(onnxOptions.inputShapes));
    if (float32) {
      m = m.withFloat32Kernels();
    }
    double[][] rows = Csv.read(inputs, m.p());
    SolverOptions opts = SolverOptions.defaults().withTolerance(tol).withMaxIterations(maxIterations);
    Solution sol = Solvers.named(solver, opts).solve(m, Csv.flatten(rows), rows.length);
    String text = Csv.format(sol.outputs(), m.q());
    if (output == null) {
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
    } else {
      AtomicFiles.writeString(output, text);
    }
    spec.commandLine().getErr().println(sol.report());
    return ExitCodes.OK;
  }
}
