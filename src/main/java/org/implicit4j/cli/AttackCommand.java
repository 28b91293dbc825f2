package org.implicit4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.api.AttackOptions;
import org.implicit4j.api.AttackResult;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `attack MODEL --data D --method m --k 1,2,5 --sigma σ`: accuracy under a sparse bounded attack. */
@Command(name = "attack", mixinStandardHelpOptions = true,
    description = "Attack a labelled data set with at most k changed inputs, each within |u \u2212 u\u2080| \u2264 \u03c3 "
        + "(and --clip): sensitivity (top-k of the class's row of S, random signs), gradient (top-k of the implicit "
        + "gradient of the margin) or lp (the LP relaxation's u). Prints accuracy and success rate per k; with --out "
        + "writes the table (CSV, JSON), the accuracy-versus-k plot and the attacked inputs (.npy).")
final class AttackCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "D",
      description = "CSV with the label first, or an IDX images file (labels beside it), gzipped or not.")
  Path data;

  @Option(names = "--method", defaultValue = "sensitivity", description = "sensitivity, lp or gradient. "
      + "Default: ${DEFAULT-VALUE}.")
  String method;

  @Option(names = "--k", defaultValue = "1,2,5,10,20,50,100", split = ",", paramLabel = "K",
      description = "Budgets (inputs changed). Default: ${DEFAULT-VALUE}.")
  int[] ks;

  @Option(names = "--sigma", required = true, paramLabel = "\u03c3", description = "Box half-width of every input.")
  double sigma;

  @Option(names = "--clip", paramLabel = "lo,hi", description = "Valid input range, e.g. 0,1 for pixels.")
  String clip;

  @Option(names = "--target", defaultValue = "-1", description = "Class the sensitivity attack targets "
      + "(default: each sample's true class).")
  int target;

  @Option(names = "--seed", defaultValue = "" + Defaults.SEED, description = "Seed of the random signs. "
      + "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--skip", defaultValue = "0", description = "Leave out the first N samples (e.g. training rows).")
  int skip;

  @Option(names = "--limit", defaultValue = "0", description = "Attack only N samples after those (0: all).")
  int limit;

  @Option(names = "--scale", defaultValue = "1", description = "Multiply CSV inputs by this (e.g. 0.0625 for 0-16 "
      + "pixels); IDX pixels are read in [0, 1]. Default: ${DEFAULT-VALUE}.")
  double scale;

  @Option(names = "--out", paramLabel = "DIR", description = "Write the report, plot and attacked inputs here.")
  Path out;

  @Option(names = "--json", description = "Print the table as one JSON object.")
  boolean json;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Outputs.checkFolder(out, "--out");
    AttackOptions o = AttackOptions.of(AttackOptions.Method.parse(method), sigma).withKs(ks).withSeed(seed)
        .withTarget(target).withRows(skip, limit).withScale(scale).withOut(out);
    if (clip != null) {
      double[] c = Outputs.range(clip);
      o = o.withClip(c[0], c[1]);
    }
    Implicit m = Implicit.load(model, onnxOptions.load());
    AttackResult r;
    try (Progress bar = new Progress("attack", limit, onnxOptions.quiet)) {
      r = m.attack(data, o.withProgress(bar));
    }
    PrintWriter w = spec.commandLine().getOut();
    w.print(json ? r.report().json() + System.lineSeparator() : r.report().text());
    w.flush();
    r.written().forEach(p -> spec.commandLine().getErr().println("wrote " + p));
    return 0;
  }

}
