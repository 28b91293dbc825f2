package org.implicit4j.cli;

import org.implicit4j.report.LayerComparison;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.implicit4j.io.Csv;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.verify.OrtVerifier;
import org.implicit4j.report.VerificationReport;
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
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX network.")
  Path onnx;

  @Option(names = "--samples", defaultValue = "100", description = "Random inputs to check. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random inputs. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--inputs", paramLabel = "X.csv", description = "Extra inputs, one sample a row (C order).")
  Path inputs;

  @Option(names = "--atol", defaultValue = "1e-5", description = "Absolute tolerance. Default: ${DEFAULT-VALUE}.")
  double atol;

  @Option(names = "--rtol", defaultValue = "1e-4",
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
    java.io.PrintWriter out = spec.commandLine().getOut();
    onnxOptions.float32 = float32;
    VerificationReport rep = run(onnx, onnxOptions, samples, seed, inputs, atol, rtol, spec.commandLine().getErr(),
        perLayer ? out : null).report();
    out.println(rep.summary());
    return rep.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  /** The imported network and how it compared with ONNX Runtime. */
  record Verified(ImportResult imported, VerificationReport report) {}

  /**
   * Imports once and verifies (shared with `import`, which saves the model it verified); with
   * {@code layers} non-null, prints the per-layer comparison there.
   */
  static Verified run(Path onnx, OnnxOptions o, int samples, long seed, Path inputs, double atol,
      double rtol, java.io.PrintWriter err, java.io.PrintWriter layers) throws Exception {
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be \u2265 0");
    }
    OnnxMl.ModelProto proto = OnnxImporter.read(onnx);
    ImportResult r = OnnxImporter.importModel(proto, onnx.toString(), onnx.toAbsolutePath().getParent(),
        ModelSource.options(o.inputShapes));
    if (o.float32) {
      r = new ImportResult(r.model().withFloat32Kernels(), r.inputs(), r.outputs(), r.droppedSoftmax(), r.stateTensors(),
          r.boundInputs(), r.opset());
    }
    double[][] x = OrtVerifier.randomInputs(r.model(), samples, seed);
    if (inputs != null) {
      double[][] user = Csv.read(inputs, r.model().p());
      x = Arrays.copyOf(x, x.length + user.length);
      System.arraycopy(user, 0, x, samples, user.length);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("nothing to verify: --samples 0 and no --inputs");
    }
    try (OrtVerifier v = new OrtVerifier(proto, r, onnx.toString(), layers != null);
        Progress bar = new Progress("verify", x.length, o.quiet)) {
      VerificationReport rep = v.verify(x, atol, rtol, bar::stepTo);
      if (layers != null) {
        String first = null;
        layers.printf("%-6s %-40s %10s %12s %12s  %s%n", "block", "ONNX tensor", "size", "max abs", "max rel", "status");
        for (LayerComparison c : v.perLayer(x, atol, rtol)) {
          layers.printf(java.util.Locale.ROOT, "%-6d %-40s %10d %12.3e %12.3e  %s%n", c.block(), c.tensor(), c.size(),
              c.maxAbsError(), c.maxRelError(), c.matched() ? "ok" : "DIVERGES");
          if (!c.matched() && first == null) {
            first = c.tensor();
          }
        }
        layers.println(first == null ? "per-layer: every state block matches its ONNX tensor"
            : "per-layer: first divergent block reproduces ONNX tensor '" + first + "'");
      }
      err.println(rep.solveReport());
      return new Verified(r, rep);
    }
  }
}
