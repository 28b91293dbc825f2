package org.implicit4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.implicit4j.api.DataFiles;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.RobustOptions;
import org.implicit4j.report.RobustnessReport;
import org.implicit4j.report.SensitivityMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `robust MODEL --sigma σ`: the sensitivity matrix, certified bounds and per-input certificates. */
@Command(name = "robust", mixinStandardHelpOptions = true,
    description = "Certified robustness bounds (El Ghaoui et al. \u00a74): the sensitivity matrix "
        + "S = |C|(I \u2212 |A|)\u207b\u00b9|B| + |D| with |\u0177(u) \u2212 \u0177(u\u2080)| \u2264 S|u \u2212 u\u2080|, the "
        + "\u2016\u00b7\u2016\u221e bounds over the box |u \u2212 u\u2080| \u2264 \u03c3 (and with --k for at most k changed "
        + "inputs), and for each input row whether no u in the box changes its prediction. Exit 1 when the model is "
        + "not covered (well-posedness not shown, or activations that are not non-expansive).")
final class RobustCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--sigma", paramLabel = "\u03c3", description = "Box half-width \u03c3u of every input.")
  Double sigma;

  @Option(names = "--sigma-file", paramLabel = "S.csv",
      description = "Box half-widths: one CSV row for all inputs, or one row per input row.")
  Path sigmaFile;

  @Option(names = "--inputs", paramLabel = "X.csv", description = "Inputs u\u2080 to certify, one row each (C order).")
  Path inputs;

  @Option(names = "--k", paramLabel = "K", description = "Budget of changed inputs for the sparse bound and the LP.")
  Integer k;

  @Option(names = "--lp", description = "Also bound every (input, target class) margin by the LP relaxation.")
  boolean lp;

  @Option(names = "--target", paramLabel = "T", description = "With --lp, only this target class.")
  Integer target;

  @Option(names = "--clip", paramLabel = "lo,hi", description = "Valid input range, for the LP (e.g. 0,1).")
  String clip;

  @Option(names = "--sensitivity-out", paramLabel = "S.csv", description = "Write S as q rows of p values.")
  Path sensitivityOut;

  @Option(names = "--plot", paramLabel = "DIR",
      description = "Write sensitivity-rows.png (each row of S in the input's shape) and sparsity.png (A) there.")
  Path plot;

  @Option(names = "--json", description = "Print one JSON object (S included unless --sensitivity-out is given).")
  boolean json;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if ((sigma == null) == (sigmaFile == null)) {
      throw new IllegalArgumentException("give the box as exactly one of --sigma \u03c3 or --sigma-file S.csv");
    }
    Outputs.checkFolder(plot, "--plot");
    Implicit m = Implicit.load(model, onnxOptions.load());
    int p = m.model().p();
    RobustOptions o = RobustOptions.sigma(sigma == null ? 0 : sigma).withK(k).withLp(lp).withTarget(target);
    if (sigmaFile != null) {
      o = o.withSigmaRows(DataFiles.readRows(sigmaFile, p));
    }
    if (clip != null) {
      double[] c = Outputs.range(clip);
      o = o.withClip(c[0], c[1]);
    }
    double[][] x = inputs == null ? new double[0][] : DataFiles.readRows(inputs, p);
    RobustnessReport rep = m.robustness(x, o);
    writeFiles(m, rep.sensitivity());
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? rep.json(sensitivityOut == null) + System.lineSeparator() : rep.text());
    out.flush();
    return 0;
  }

  private void writeFiles(Implicit m, SensitivityMatrix s) throws Exception {
    if (sensitivityOut != null) {
      double[][] rows = new double[s.q()][];
      for (int i = 0; i < s.q(); i++) {
        rows[i] = s.row(i);
      }
      DataFiles.writeText(sensitivityOut, DataFiles.format(rows));
    }
    if (plot != null) {
      Files.createDirectories(plot);
      List<Path> pics = List.of(m.drawSensitivity(s, plot.resolve("sensitivity-rows.png")),
          m.drawSparsity(plot.resolve("sparsity.png"), 800));
      pics.forEach(p -> spec.commandLine().getErr().println("wrote " + p));
    }
  }
}
