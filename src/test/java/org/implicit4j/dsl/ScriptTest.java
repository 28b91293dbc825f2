package org.implicit4j.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.implicit4j.Implicit4jException;
import org.implicit4j.cli.CliTest;
import org.implicit4j.dsl.parser.ImplicitParser;
import org.implicit4j.io.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sample scripts, each construct, and each error class with its exact location and message. */
class ScriptTest {
  @TempDir Path dir;
  Path scripts;

  /** A copy of samples/ (networks and scripts), so that scripts may write beside themselves. */
  @BeforeEach
  void copySamples() throws IOException {
    Files.copy(Path.of("samples", "mnist8.onnx"), dir.resolve("mnist8.onnx"));
    Files.copy(Path.of("samples", "iris-mlp.onnx"), dir.resolve("iris-mlp.onnx"));
    scripts = Files.createDirectory(dir.resolve("scripts"));
    try (Stream<Path> s = Files.list(Path.of("samples", "scripts"))) {
      for (Path p : s.toList()) {
        Files.copy(p, scripts.resolve(p.getFileName()));
      }
    }
  }

  static Stream<String> samples() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("samples", "scripts"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".i4s")).sorted().toList().stream();
    }
  }

  private String run(String name) throws IOException {
    StringWriter w = new StringWriter();
    int failed = ScriptRunner.run(scripts.resolve(name), new PrintWriter(w));
    assertEquals(0, failed, w.toString());
    return w.toString();
  }

  /** Runs script text as scripts/test.i4s and returns the error. */
  private ScriptException fails(String text) {
    return assertThrows(ScriptException.class,
        () -> ScriptRunner.run(scripts.resolve("test.i4s"), text, new PrintWriter(new StringWriter())));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void samplesParseAndRoundTrip(String name) throws IOException {
    String text = Files.readString(Path.of("samples", "scripts", name));
    ImplicitParser.ScriptContext a = ScriptRunner.parse(Path.of(name), text);
    assertFalse(a.statement().isEmpty());
    // Re-printing each statement from its tokens and parsing that gives the same tree.
    StringBuilder again = new StringBuilder();
    for (ImplicitParser.StatementContext st : a.statement()) {
      again.append(tokens(st)).append('\n');
    }
    ImplicitParser.ScriptContext b = ScriptRunner.parse(Path.of(name), again.toString());
    ImplicitParser p = new ImplicitParser(null);
    assertEquals(a.statement().stream().map(x -> x.toStringTree(p)).toList(),
        b.statement().stream().map(x -> x.toStringTree(p)).toList());
  }

  private static String tokens(org.antlr.v4.runtime.tree.ParseTree t) {
    if (t instanceof org.antlr.v4.runtime.tree.TerminalNode n) {
      return n.getText();
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < t.getChildCount(); i++) {
      s.append(i == 0 ? "" : " ").append(tokens(t.getChild(i)));
    }
    return s.toString();
  }

  @Test
  void convertVerifySavesAVerifiedModel() throws IOException {
    String out = run("convert-verify.i4s");
    int n = org.implicit4j.onnx.OnnxImporter.importFile(dir.resolve("mnist8.onnx"),
        org.implicit4j.onnx.ImportOptions.defaults()).model().n();
    assertTrue(out.contains("info cnn: n=" + n + " p=784 q=10"), out);
    assertTrue(out.contains("check cnn: well-posed: strictly upper triangular"), out);
    assertTrue(out.contains("verify cnn: PASS: 20/20"), out);
    assertEquals(n, ModelFiles.load(scripts.resolve("mnist8.i4j")).n());
  }

  @Test
  void cascadeHeadWritesTheHeadOfTheCnn() throws IOException {
    String out = run("cascade-head.i4s");
    assertTrue(out.contains("predict net: 2 rows to head-out.csv"), out);
    List<String> rows = Files.readAllLines(scripts.resolve("head-out.csv"));
    assertEquals(2, rows.size());
    String[] v = rows.get(0).split(",");
    // Third output = logit0 − logit1 and the biases are +0.5, −0.5, 0.
    double y0 = Double.parseDouble(v[0]) - 0.5;
    double y1 = Double.parseDouble(v[1]) + 0.5;
    assertEquals(y0 - y1, Double.parseDouble(v[2]), 1e-9);
  }

  @Test
  void feedbackIsRescaledBelowKappaAndSolvedIteratively() throws IOException {
    String out = run("feedback.i4s");
    assertTrue(out.contains("info loop: n=48 p=4 q=3") && out.contains("triangular=false"), out);
    assertTrue(out.matches("(?s).*info fixed: .*normInf=0\\.[0-8].*"), out);
    assertTrue(out.contains("check fixed: well-posed"), out);
    assertTrue(out.contains("predict fixed: anderson: converged"), out);
  }

  @Test
  void ensembleOfAModelWithItsRescaledCopyStillVerifies() throws IOException {
    String out = run("ensemble.i4s");
    int n = org.implicit4j.onnx.OnnxImporter.importFile(dir.resolve("mnist8.onnx"),
        org.implicit4j.onnx.ImportOptions.defaults()).model().n();
    assertTrue(out.contains("avg: n=" + 2 * n + " p=784 q=10"), out);
    assertTrue(out.contains("verify avg: PASS: 10/10"), out);
  }

  @Test
  void gateIsTriangularAndExports() throws IOException {
    String out = run("gate.i4s");
    assertTrue(out.contains("info g: n=102") && out.contains("triangular=true"), out);
    assertTrue(Files.size(scripts.resolve("gate.onnx")) > 0);
    // tanh(a) · sigmoid(b) lies in (−1, 1).
    out.lines().filter(l -> l.matches("^-?[0-9].*")).forEach(l -> {
      for (String v : l.split(",")) {
        assertTrue(Math.abs(Double.parseDouble(v)) < 1, l);
      }
    });
  }

  @Test
  void syntaxErrorPointsAtTheToken() {
    ScriptException e = fails("a = onnx(\"../mnist8.onnx\")\nb = a >> >> a\n");
    assertEquals(2, e.line());
    assertEquals(10, e.column());
    assertTrue(e.getMessage().startsWith(scripts.resolve("test.i4s") + ":2:10: syntax error"), e.getMessage());
    assertTrue(e.getMessage().endsWith("  b = a >> >> a\n           ^"), e.getMessage());
    assertEquals(Implicit4jException.Category.BAD_INPUT, e.category());
  }

  @Test
  void unexpectedCharacterIsNamed() {
    ScriptException e = fails("a = identity(3) $ identity(3)");
    assertEquals("unexpected character '$'", e.reason());
    assertEquals(17, e.column());
  }

  @Test
  void unknownNameListsTheDefinedOnes() {
    ScriptException e = fails("mlp = identity(4)\ny = mlp2 >> mlp\n");
    assertEquals(2, e.line());
    assertEquals(5, e.column());
    assertEquals("unknown model 'mlp2'; defined so far: mlp", e.reason());
  }

  @Test
  void dimensionMismatchNamesBothSides() {
    ScriptException e = fails("cnn = onnx(\"../mnist8.onnx\")\nnet = cnn >> identity(784)\n");
    assertEquals(2, e.line());
    assertEquals(14, e.column());
    assertEquals("cascade: left output 10 \u2260 right input 784", e.reason());
  }

  @Test
  void missingFileIsReportedAtItsString() {
    ScriptException e = fails("x = onnx(\"nope.onnx\")");
    assertEquals(10, e.column());
    assertTrue(e.reason().startsWith("file \"nope.onnx\" not found"), e.reason());
  }

  @Test
  void unknownActivationIsReported() {
    ScriptException e = fails("a = identity(2)\ng = gate(a, a, tanh, swish)");
    assertEquals(2, e.line());
    assertEquals(22, e.column());
    assertTrue(e.reason().startsWith("unknown activation 'swish'"), e.reason());
  }

  @Test
  void failedRequireAndFailedVerifyExitOne() throws IOException {
    // A large gain around the MLP: λpf(|A|) ≥ 1, not shown well-posed.
    ScriptException e = fails("a = onnx(\"../iris-mlp.onnx\")\nl = feedback(a, affine(\"iris-back.csv\"), 50)\n"
        + "check l require\n");
    assertTrue(e.reason().startsWith("required well-posedness not shown: not shown: \u03bbpf(|A|)="), e.reason());
    assertEquals(Implicit4jException.Category.CHECK_FAILED, e.category());
    assertEquals(3, e.line());
    Path bad = scripts.resolve("bad.i4s");
    Files.writeString(bad, "c = onnx(\"../mnist8.onnx\")\nverify 2 * c against \"../mnist8.onnx\" samples 3\n");
    CliTest.Run r = CliTest.run("run", bad.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("bad.i4s:2:1: verification failed: FAIL: 0/3"), r.err());
    Path syntax = scripts.resolve("syntax.i4s");
    Files.writeString(syntax, "c = \n");
    assertEquals(2, CliTest.run("run", syntax.toString()).code());
  }

  @Test
  void failingScriptWritesNothing() throws IOException {
    Path out = scripts.resolve("never.i4j");
    ScriptException e = fails("c = onnx(\"../mnist8.onnx\")\nx = c >> c\nsave c to \"never.i4j\"\n");
    assertEquals(2, e.line());
    assertFalse(Files.exists(out));
    // A syntax error anywhere stops the script before its first statement runs.
    fails("c = onnx(\"../mnist8.onnx\")\nsave c to \"never.i4j\"\nsave c to\n");
    assertFalse(Files.exists(out));
    try (Stream<Path> s = Files.list(scripts)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("never")), "no temporary left");
    }
  }

  @Test
  void everyExpressionFormEvaluatesToWhatItSays() throws IOException {
    Files.writeString(scripts.resolve("k.csv"), "0.01,0,0\n0,0.01,0\n0,0,0.01\n0.01,0.01,0.01\n");
    Files.writeString(scripts.resolve("w.csv"), "1,2,3\n4,5,6\n");
    Files.writeString(scripts.resolve("x3.csv"), "1,1,1\n");
    Files.writeString(scripts.resolve("g.csv"), "0.1,0,0,0\n0,0.1,0,0\n0,0,0.1,0\n0,0,0,0.1\n");
    String text = String.join("\n",
        "# every form once; semicolons separate statements too",
        "a = onnx(\"../iris-mlp.onnx\", \"4\") ; save a to \"a.i4j\"",
        "b = model(\"a.i4j\")",
        "w = affine(\"w.csv\")",
        "p = parallel(a, identity(2))",
        "c = concat(a, b)",
        "s = sum(a, b, 2, -1)",
        "d = (a - b) >> scalar(3, 5)",
        "z = a >> zeros(1, 3)",
        "f = feedback(a, affine(\"k.csv\"), \"g.csv\")",
        "h = w >> scalar(2, 0.5)",
        "print p", "print c", "print s", "print d", "print z", "print f", "print h",
        "predict s on \"iris.csv\" to \"s-out.csv\"",
        "predict d on \"iris.csv\" to \"d-out.csv\"",
        "predict h on \"x3.csv\" to \"h-out.csv\"");
    StringWriter w = new StringWriter();
    assertEquals(0, ScriptRunner.run(scripts.resolve("forms.i4s"), text, new PrintWriter(w)));
    String out = w.toString();
    assertTrue(out.contains("p: n=48 p=6 q=5"), out);
    assertTrue(out.contains("c: n=96 p=4 q=6"), out);
    assertTrue(out.contains("z: n=48 p=4 q=1"), out);
    assertTrue(out.contains("f: n=48 p=4 q=3"), out);
    assertTrue(out.contains("h: n=0 p=3 q=2"), out);
    // sum(a, a, 2, −1) = a; (a − a) >> 5·I = 0; ½·W·(1,1,1) = (3, 7.5).
    ImplicitModelCheck.assertRowsEqual(scripts.resolve("s-out.csv"), org.implicit4j.onnx.OnnxImporter
        .importFile(dir.resolve("iris-mlp.onnx"), org.implicit4j.onnx.ImportOptions.defaults()).model(),
        Files.readAllLines(scripts.resolve("iris.csv")));
    for (String row : Files.readAllLines(scripts.resolve("d-out.csv"))) {
      for (String v : row.split(",")) {
        assertEquals(0.0, Double.parseDouble(v), 1e-12);
      }
    }
    assertEquals("3.0,7.5", Files.readString(scripts.resolve("h-out.csv")).strip());
  }

  /** Compares a predictions CSV with the model's own predictions on the input rows. */
  static final class ImplicitModelCheck {
    static void assertRowsEqual(Path csv, org.implicit4j.model.ImplicitModel m, List<String> inputs) throws IOException {
      List<String> rows = Files.readAllLines(csv);
      for (int s = 0; s < inputs.size(); s++) {
        double[] u = java.util.Arrays.stream(inputs.get(s).split(",")).mapToDouble(Double::parseDouble).toArray();
        double[] y = org.implicit4j.solve.Solvers.solve(m, u, 1).output(0);
        String[] got = rows.get(s).split(",");
        for (int i = 0; i < y.length; i++) {
          assertEquals(y[i], Double.parseDouble(got[i]), 1e-9 * Math.max(1, Math.abs(y[i])));
        }
      }
    }
  }

  /** robust.i4s: every input certified at σ = 0.05 (the LP agrees: every bound negative), attacks lower accuracy. */
  @Test
  void robustnessStatementsCertifyAndAttack() throws IOException {
    String out = run("robust.i4s");
    assertTrue(out.contains("certified           3/3 (1.0000) at \u03c3 = 0.05000"), out);
    java.util.regex.Matcher lp = java.util.regex.Pattern.compile("lp (-?[0-9.e+-]+)").matcher(out);
    int bounds = 0;
    while (lp.find()) {
      assertTrue(Double.parseDouble(lp.group(1)) < 0, out);
      bounds++;
    }
    assertEquals(6, bounds, out);
    assertTrue(out.contains("gradient attack, sigma 0.5, 6 samples, clean accuracy 1.0000"), out);
    assertTrue(out.contains("       4     0.3333         0.6667"), out);
  }

  @Test
  void robustnessOptionsAreCheckedWhereTheyAre() {
    ScriptException e = fails("m = onnx(\"../iris-mlp.onnx\")\nrobust m sigma 0.1 depth 3\n");
    assertEquals(2, e.line());
    assertEquals(20, e.column());
    assertTrue(e.reason().contains("unknown option 'depth' of robust"), e.reason());
    ScriptException twice = fails("m = onnx(\"../iris-mlp.onnx\")\nattack m on \"iris-labelled.csv\" sigma 1 sigma 2\n");
    assertTrue(twice.reason().contains("option 'sigma' given twice"), twice.reason());
    ScriptException none = fails("m = onnx(\"../iris-mlp.onnx\")\nrobust m k 2\n");
    assertTrue(none.reason().contains("robust needs a box"), none.reason());
    ScriptException method = fails("m = onnx(\"../iris-mlp.onnx\")\nattack m on \"iris-labelled.csv\" sigma 1 method \"fgsm\"\n");
    assertTrue(method.reason().contains("unknown attack method 'fgsm'"), method.reason());
  }

  /** train.i4s: a converted MLP fine-tuned and a fresh loop-shaped model trained, bound to names, checked, saved. */
  @Test
  void trainStatementsBindTrainedModels() throws IOException {
    String out = run("train.i4s");
    assertTrue(out.contains("train tuned: 30 epochs") && out.contains("train fresh: 200 epochs"), out);
    assertTrue(out.contains("\u2016A\u2016\u221e 0.9000"), out);
    assertTrue(out.contains("check fresh: well-posed"), out);
    assertTrue(out.contains("certified           3/3"), out);
    assertTrue(Files.size(scripts.resolve("fresh.i4j")) > 0);
  }

  @Test
  void scriptsDoNotWriteOverWhatTheyRead() {
    ScriptException e = fails("m = onnx(\"../iris-mlp.onnx\")\nexport m to \"../iris-mlp.onnx\"\n");
    assertEquals(2, e.line());
    assertTrue(e.reason().contains("is read by this script"), e.reason());
  }

  /** Names and literals are checked before the first statement runs: nothing is written. */
  @Test
  void mistakesLateInAScriptStopItBeforeAnythingIsWritten() {
    ScriptException e = fails("m = onnx(\"../iris-mlp.onnx\")\nsave m to \"early.i4j\"\nsave mm to \"late.i4j\"\n");
    assertEquals(3, e.line());
    assertTrue(e.reason().contains("unknown model 'mm'"), e.reason());
    assertFalse(Files.exists(scripts.resolve("early.i4j")), "a statement ran before the check");
    ScriptException inf = fails("m = onnx(\"../iris-mlp.onnx\")\nsave m to \"early.i4j\"\nk = 1e999 * m\n");
    assertTrue(inf.reason().contains("1e999 is not finite"), inf.reason());
    assertFalse(Files.exists(scripts.resolve("early.i4j")));
    ScriptException big = fails("z = zeros(46341, 46341)\n");
    assertTrue(big.reason().contains("at most 16777216"), big.reason());
    ScriptException huge = fails("i = identity(99999999999)\n");
    assertTrue(huge.reason().contains("size 99999999999 is out of range"), huge.reason());
  }

  /** Deep nesting and long chains are refused at the culprit, not by a stack overflow. */
  @Test
  void deepNestingAndLongChainsAreScriptErrors() {
    ScriptException nest = fails("a = " + "(".repeat(2000) + "identity(2)" + ")".repeat(2000) + "\n");
    assertTrue(nest.reason().contains("nested deeper than 200"), nest.reason());
    assertEquals(1, nest.line());
    ScriptException chain = fails("a = identity(2)\nb = a" + " >> a".repeat(3000) + "\n");
    assertTrue(chain.reason().contains("more than 1000 operators"), chain.reason());
    assertEquals(2, chain.line());
  }

  @Test
  void gateTakesAnyActivationAndTheCaretFindsWideCharacters() throws IOException {
    String out = run("gate-any.i4s", "a = identity(2)\nb = gate(a, a, identity, leaky_relu(0.2))\nprint b\n");
    assertTrue(out.contains("b: n=4 p=2 q=2"), out);
    ScriptException e = fails("# \u6a21\u578b\n\u6a21\u578b = identity(2)\n");
    String[] lines = e.getMessage().split("\n");
    int caret = lines[2].indexOf('^');
    assertEquals(2, caret, e.getMessage()); // under the first wide character, after the two-space indent
    ScriptException nul = fails("m = model(\"a\u0000b.i4j\")\n");
    assertTrue(nul.reason().contains("is not a valid path"), nul.reason());
  }

  private String run(String name, String text) throws IOException {
    java.io.StringWriter w = new java.io.StringWriter();
    ScriptRunner.run(scripts.resolve(name), text, new java.io.PrintWriter(w));
    return w.toString();
  }

  /** Doubling a model until it cannot be held is refused by size, not by running out of memory. */
  @Test
  void compositionsBeyondTheSizeLimitAreRefused() {
    StringBuilder text = new StringBuilder("a0 = identity(1000)\n");
    for (int i = 1; i <= 25; i++) {
      text.append("a").append(i).append(" = parallel(a").append(i - 1).append(", a").append(i - 1).append(")\n");
    }
    ScriptException e = fails(text.toString());
    assertTrue(e.reason().contains("too large to hold"), e.reason());
  }

  /** Runs of separators are one token: 40,000 ';' or blank lines parse (in linear time). */
  @Test
  void longRunsOfSeparatorsParse() throws IOException {
    String out = run("semis.i4s", ";".repeat(40_000) + "\na = identity(2)" + "\n".repeat(40_000) + "print a\n");
    assertTrue(out.contains("a: n=0 p=2 q=2"), out);
    ScriptException e = fails("\n\n# c\n;;\nprint nope\n");
    assertEquals(5, e.line());
  }
}
