package org.implicit4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.Verification;
import org.implicit4j.api.VerifyOptions;
import org.implicit4j.report.LayerComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `verify MODEL.onnx`: imports the network and checks it against ONNX Runtime. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Import an ONNX network and check that the implicit model predicts what ONNX Runtime does, "
        + "on seeded random inputs (uniform [0,1)) plus any given ones. Exit 0 on pass, 1 on mismatch.")
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The ONNX network; with --against, any model (a model "
      + "file, or a network) to check against the networks given there.")
  Path onnx;

  @Option(names = "--against", split = ",", paramLabel = "NET.onnx",
      description = "Check MODEL against these ONNX networks run in sequence in ONNX Runtime (e.g. a model file "
          + "against the network it came from).")
  java.util.List<Path> against;

  @Option(names = "--samples", defaultValue = "" + Defaults.SAMPLES,
      description = "Random inputs to check. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Option(names = "--seed", defaultValue = "" + Defaults.SEED,
      description = "Seed of the random inputs. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--inputs", paramLabel = "X.csv", description = "Extra inputs, one sample a row (C order).")
  Path inputs;

  @Option(names = "--atol", defaultValue = "" + Defaults.ATOL, description = "Absolute tolerance. Default: ${DEFAULT-VALUE}.")
  double atol;

  @Option(names = "--rtol", defaultValue = "" + Defaults.RTOL,
      description = "Relative tolerance: pass when |\u0177 \u2212 ref| \u2264 atol + rtol\u00b7|ref|. Default: ${DEFAULT-VALUE}.")
  double rtol;

  @Option(names = "--per-layer",
      description = "Also compare every state block with the ONNX tensor it came from and name the first that diverges.")
  boolean perLayer;

  @Option(names = "--float32", description = "Verify the float32 fast path (predict --float32) instead of the double one.")
  boolean float32;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    VerifyOptions o = VerifyOptions.defaults().withSamples(samples).withSeed(seed).withTolerances(atol, rtol)
        .withPerLayer(perLayer).withFloat32(float32).withLoad(onnxOptions.load())
        .withExtraInputs(inputs);
    if (against != null) {
      if (perLayer || float32 || inputs != null) {
        throw new IllegalArgumentException("--against checks seeded random inputs only; --per-layer, --float32 and "
            + "--inputs apply to verifying an ONNX network itself");
      }
      org.implicit4j.report.VerificationReport rep = Implicit.load(onnx, o.load()).verifyAgainst(against, o);
      spec.commandLine().getErr().println(rep.solveReport());
      spec.commandLine().getOut().println(rep.summary());
      return rep.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
    Verification v;
    try (Progress bar = new Progress("verify", samples, onnxOptions.quiet)) {
      v = Implicit.verify(onnx, o.withProgress(bar));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (perLayer) {
      printLayers(out, v.layers());
    }
    spec.commandLine().getErr().println(v.report().solveReport());
    out.println(v.report().summary());
    return v.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  private static void printLayers(PrintWriter out, List<LayerComparison> layers) {
    out.printf("%-6s %-40s %10s %12s %12s  %s%n", "block", "ONNX tensor", "size", "max abs", "max rel", "status");
    String first = null;
    for (LayerComparison c : layers) {
      out.printf(Locale.ROOT, "%-6d %-40s %10d %12.3e %12.3e  %s%n", c.block(), c.tensor(), c.size(),
          c.maxAbsError(), c.maxRelError(), c.matched() ? "ok" : "DIVERGES");
      if (!c.matched() && first == null) {
        first = c.tensor();
      }
    }
    out.println(first == null ? "per-layer: every state block matches its ONNX tensor"
        : "per-layer: first divergent block reproduces ONNX tensor '" + first + "'");
  }
}
