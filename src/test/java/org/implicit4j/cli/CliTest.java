package org.implicit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand end to end through the same command line the jar uses. */
public class CliTest {
  @TempDir Path dir;

  /** Exit code, stdout and stderr of one CLI run. */
  public record Run(int code, String out, String err) {}

  public static Run run(String... args) {
    CommandLine cl = Main.commandLine(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void infoJsonHasTheDocumentedKeys() throws Exception {
    TestModels.Mlp mlp = TestModels.Mlp.random(new Random(1), 4, 6, 5, 3);
    Path f = dir.resolve("mlp.i4j");
    ModelFiles.save(mlp.implicit(), f);
    Run r = run("info", f.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    for (String k : new String[] {"n", "p", "q", "inputShape", "outputShape", "nnz", "normInf", "lambdaPf",
        "strictlyUpperTriangular", "wellPosed", "verdict", "solvePlan"}) {
      assertTrue(o.has(k), "missing key " + k);
    }
    assertEquals(11, o.get("n").getAsInt());
    assertEquals(4 * 6 + 6 * 5 + 5 * 3, o.get("nnz").getAsLong());
    assertTrue(o.get("strictlyUpperTriangular").getAsBoolean());
    assertEquals(0.0, o.get("lambdaPf").getAsDouble());
    assertEquals(2, o.getAsJsonObject("solvePlan").get("steps").getAsInt()); // the MLP's two hidden layers
    Run text = run("info", f.toString());
    assertEquals(0, text.code());
    assertTrue(text.out().contains("well-posed: strictly upper triangular"), text.out());
    assertTrue(text.out().contains("solve plan       2 blocks in 2 steps; no max-pool trees"), text.out());
  }

  @Test
  void predictWritesOneRowPerSampleAndReportsOnStderr() throws Exception {
    TestModels.Mlp mlp = TestModels.Mlp.random(new Random(2), 3, 4, 4, 2);
    Path f = dir.resolve("mlp.i4j");
    ModelFiles.save(mlp.implicit(), f);
    Path x = dir.resolve("x.csv");
    Files.writeString(x, "0.1,0.2,0.3\n-1,0.5,2\n");
    Path y = dir.resolve("y.csv");
    Run r = run("predict", f.toString(), "--inputs", x.toString(), "--output", y.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("back-substitution: converged"), r.err());
    String[] rows = Files.readString(y).strip().split("\n");
    assertEquals(2, rows.length);
    double[] expect = mlp.forward(new double[] {-1, 0.5, 2});
    String[] got = rows[1].split(",");
    for (int k = 0; k < 2; k++) {
      assertEquals(expect[k], Double.parseDouble(got[k]), 1e-12);
    }
    Run stdout = run("predict", f.toString(), "--inputs", x.toString(), "--solver", "anderson");
    assertEquals(0, stdout.code(), stdout.err());
    assertEquals(2, stdout.out().strip().split("\n").length);
  }

  @Test
  void badInputExitsTwoWithOneLineNamingTheCulprit() throws Exception {
    Run missing = run("info", dir.resolve("nope.i4j").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope.i4j") && !missing.err().contains("\tat "), missing.err());
    Path f = dir.resolve("m.i4j");
    ModelFiles.save(TestModels.Mlp.random(new Random(3), 3, 4, 4, 2).implicit(), f);
    Path x = dir.resolve("x.csv");
    Files.writeString(x, "1,2\n");
    Run width = run("predict", f.toString(), "--inputs", x.toString());
    assertEquals(2, width.code());
    assertTrue(width.err().contains("x.csv line 1: 2 values, expected 3"), width.err());
    assertEquals(1, width.err().strip().split("\n").length, width.err());
    Run usage = run("predict", f.toString());
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("--inputs"), usage.err());
    Run solver = run("predict", f.toString(), "--inputs", x.toString(), "--solver", "newton");
    assertEquals(2, solver.code());
  }

  @Test
  void nonConvergenceExitsOneWithTheNumbers() throws Exception {
    ImplicitModel m = TestModels.randomDense(new Random(4), 8, 2, 2, 3.0, Activation.IDENTITY);
    Path f = dir.resolve("div.i4j");
    ModelFiles.save(m, f);
    Path x = dir.resolve("x.csv");
    Files.writeString(x, "1,2\n");
    Run r = run("predict", f.toString(), "--inputs", x.toString(), "--solver", "picard", "--max-iterations", "30");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("NOT converged after 30 iterations"), r.err());
    Run debug = run("predict", f.toString(), "--inputs", x.toString(), "--solver", "picard", "--max-iterations", "30",
        "--debug");
    assertTrue(debug.err().contains("\tat "), "--debug prints the trace");
  }

  /** A run builds only the subcommand it names; help, a bare run and an unknown command see them all. */
  @Test
  void aRunBuildsOnlyItsOwnSubcommand() {
    assertEquals(java.util.Set.of("predict"), Main.commandLine("--debug", "predict", "-q", "m.onnx").getSubcommands()
        .keySet());
    java.util.Set<String> all = new java.util.HashSet<>(Main.COMMANDS.keySet());
    all.add("help");
    assertEquals(all, Main.commandLine().getSubcommands().keySet());
    assertEquals(all, Main.commandLine("help", "predict").getSubcommands().keySet());
    assertEquals(all, Main.commandLine("--debug").getSubcommands().keySet());
    Run unknown = run("predikt", "m.onnx");
    assertEquals(ExitCodes.BAD_INPUT, unknown.code());
    assertTrue(unknown.err().contains("'predikt'") && unknown.err().contains("try: implicit4j --help"),
        unknown.err());
    Run help = run("help", "verify");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("Usage: implicit4j verify"), help.out());
  }

  @Test
  void everySubcommandHasHelp() {
    CommandLine cl = Main.commandLine();
    for (String name : cl.getSubcommands().keySet()) {
      if (name.equals("help")) {
        continue;
      }
      Run r = run(name, "--help");
      assertEquals(0, r.code(), name);
      assertTrue(r.out().contains("Usage: implicit4j " + name), name + ": " + r.out());
    }
  }

  @Test
  void noCommandIsAUsageErrorWithExitTwo() {
    Run r = run();
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("no command given") && r.err().contains("Usage: implicit4j"), r.err());
  }

  /** -o equal to the input is refused before anything is written, and the source is left as it was. */
  @Test
  void outputOverTheInputIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path m = dir.resolve("m.onnx");
    java.nio.file.Files.copy(java.nio.file.Path.of("samples/iris-mlp.onnx"), m);
    byte[] before = java.nio.file.Files.readAllBytes(m);
    for (String[] args : new String[][] {{"import", m.toString(), "-o", m.toString()},
        {"rescale", m.toString(), "-o", dir.resolve(".").resolve("m.onnx").toString()},
        {"export", m.toString(), "-o", m.toString()}}) {
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains("would overwrite the source"), r.err());
    }
    assertTrue(java.util.Arrays.equals(before, java.nio.file.Files.readAllBytes(m)), "the source changed");
  }

  /** A model file checked against the network it came from; a different network fails with exit 1. */
  @Test
  void verifyAModelFileAgainstItsNetwork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path file = dir.resolve("iris.i4j");
    assertEquals(0, run("import", "samples/iris-mlp.onnx", "-o", file.toString(), "-q").code());
    Run ok = run("verify", file.toString(), "--against", "samples/iris-mlp.onnx", "--samples", "20");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("PASS: 20/20"), ok.out());
    Run wrong = run("verify", file.toString(), "--against", "src/test/resources/fixtures/digits-mlp-opset9.onnx");
    assertEquals(2, wrong.code(), wrong.err());
  }

  /** Option values and outputs are checked before any work. */
  @Test
  void badOptionValuesAndOutputsAreRefusedFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    String[][] cases = {
        {"verify", "samples/iris-mlp.onnx", "--atol", "-1"},
        {"verify", "samples/iris-mlp.onnx", "--rtol", "NaN"},
        {"import", "samples/iris-mlp.onnx", "-o", dir.toString()},
        {"import", "samples/iris-mlp.onnx", "-o", dir.resolve("no/such/folder/x.i4j").toString()},
        {"import", "samples/iris-mlp.onnx", "-o", dir.resolve("x.i4j").toString(), "--input-shape", "nope=4"},
        {"predict", "samples/mnist8.onnx", "--inputs", dir.toString()}};
    String[] expect = {"--atol and --rtol must be finite", "--atol and --rtol must be finite", "is a directory",
        "does not exist", "--input-shape names 'nope'", "is a directory"};
    for (int i = 0; i < cases.length; i++) {
      Run r = run(cases[i]);
      assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
      assertTrue(r.err().contains(expect[i]), String.join(" ", cases[i]) + ": " + r.err());
    }
    java.nio.file.Path file = dir.resolve("iris.i4j");
    assertEquals(0, run("import", "samples/iris-mlp.onnx", "-o", file.toString(), "-q").code());
    Run shaped = run("info", file.toString(), "--input-shape", "4");
    assertEquals(2, shaped.code(), shaped.err());
    assertTrue(shaped.err().contains("--input-shape applies to ONNX networks only"), shaped.err());
  }

  /** Streamed prediction in small batches gives what one batch gives; .npy in and out by extension. */
  @Test
  void predictStreamsBatchesAndReadsAndWritesNpy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.util.Random r = new java.util.Random(9);
    double[][] x = new double[50][4];
    StringBuilder csv = new StringBuilder();
    for (double[] row : x) {
      for (int j = 0; j < 4; j++) {
        row[j] = r.nextDouble() * 8;
      }
      csv.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append(',').append(row[3]).append('\n');
    }
    java.nio.file.Path in = dir.resolve("x.csv");
    java.nio.file.Files.writeString(in, csv);
    java.nio.file.Path npyIn = dir.resolve("x.npy");
    java.nio.file.Files.write(npyIn, org.implicit4j.io.Npy.toBytes(org.implicit4j.io.Csv.flatten(x), 50, 4));
    Run all = run("predict", "samples/iris-mlp.onnx", "--inputs", in.toString(), "--batch-size", "1000", "-q");
    Run small = run("predict", "samples/iris-mlp.onnx", "--inputs", npyIn.toString(), "--batch-size", "7", "-q");
    assertEquals(0, small.code(), small.err());
    assertEquals(all.out(), small.out());
    assertTrue(small.err().contains("batch 50"), small.err());
    java.nio.file.Path out = dir.resolve("y.npy");
    assertEquals(0, run("predict", "samples/iris-mlp.onnx", "--inputs", in.toString(), "-o", out.toString(), "-q")
        .code());
    org.implicit4j.io.Npy.Array a;
    try (java.io.InputStream s = java.nio.file.Files.newInputStream(out)) {
      a = org.implicit4j.io.Npy.read(s, "y", 1000);
    }
    assertEquals(java.util.List.of(50, 3), java.util.Arrays.stream(a.shape()).boxed().toList());
    assertEquals(Double.parseDouble(all.out().lines().findFirst().orElseThrow().split(",")[2]), a.doubles()[2], 0);
  }
}
