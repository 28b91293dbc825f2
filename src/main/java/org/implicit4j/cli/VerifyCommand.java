package org.implicit4j.cli;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.implicit4j.io.Csv;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.onnx.OrtVerifier;
import org.implicit4j.onnx.VerificationReport;
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

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    VerificationReport rep = run(onnx, onnxOptions, samples, seed, inputs, atol, rtol, spec.commandLine().getErr());
    spec.commandLine().getOut().println(rep.summary());
    return rep.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  /** Imports and verifies; shared with `import`. */
  static VerificationReport run(Path onnx, OnnxOptions o, int samples, long seed, Path inputs, double atol,
      double rtol, java.io.PrintWriter err) throws Exception {
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be \u2265 0");
    }
    OnnxMl.ModelProto proto = OnnxImporter.read(onnx);
    ImportResult r = OnnxImporter.importModel(proto, onnx.toString(), onnx.toAbsolutePath().getParent(),
        ModelSource.options(o.inputShapes));
    double[][] x = OrtVerifier.randomInputs(r.model(), samples, seed);
    if (inputs != null) {
      double[][] user = Csv.read(inputs, r.model().p());
      x = Arrays.copyOf(x, x.length + user.length);
      System.arraycopy(user, 0, x, samples, user.length);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("nothing to verify: --samples 0 and no --inputs");
    }
    try (OrtVerifier v = new OrtVerifier(proto, r, onnx.toString());
        Progress bar = new Progress("verify", x.length, o.quiet)) {
      VerificationReport rep = v.verify(x, atol, rtol, bar::stepTo);
      err.println(rep.solveReport());
      return rep;
    }
  }
}
