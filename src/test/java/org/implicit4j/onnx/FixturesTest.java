package org.implicit4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.analysis.WellPosednessAnalysis;
import org.implicit4j.cli.CliTest;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.verify.OrtVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The networks exported by scripts/make_fixtures.py (PyTorch 1.13), checked against ONNX Runtime. */
class FixturesTest {
  static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"digits-mlp-opset9.onnx", "mixed-ops-opset11.onnx", "mixed-ops-opset17.onnx"})
  void smallFixturesVerify(String name) throws Exception {
    CliTest.Run r = CliTest.run("verify", FIXTURES.resolve(name).toString(), "--quiet");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("PASS: 100/100"), r.out());
  }

  @Test
  void resnet20ImportsWith188kStatesTriangularAndVerified() throws Exception {
    Path f = FIXTURES.resolve("resnet20-cifar.onnx");
    OnnxMl.ModelProto proto = OnnxImporter.read(f);
    ImportResult r = OnnxImporter.importModel(proto, f.toString(), FIXTURES, ImportOptions.defaults());
    ImplicitModel m = r.model();
    assertEquals(188_416, m.n());
    assertEquals(3 * 32 * 32, m.p());
    assertTrue(m.isStrictlyUpperTriangular());
    assertEquals("well-posed: strictly upper triangular", WellPosednessAnalysis.of(m).verdict());
    try (OrtVerifier v = new OrtVerifier(proto, r, f.toString())) {
      VerificationReport rep = v.verify(OrtVerifier.randomInputs(m, 20, 7), 1e-5, 1e-4, null);
      assertTrue(rep.passed(), rep.summary());
    }
    // Structured storage: the saved file is about the size of the ONNX file, not of a Toeplitz matrix.
    Path out = dir.resolve("resnet20.i4j");
    ModelFiles.save(m, out);
    assertTrue(Files.size(out) < 2 * Files.size(f), Files.size(out) + " vs " + Files.size(f));
  }

  @Test
  void importWritesAVerifiedModelThatPredictsLikeTheOnnxFile() throws Exception {
    Path onnx = FIXTURES.resolve("digits-mlp-opset9.onnx");
    Path out = dir.resolve("mlp.i4j");
    CliTest.Run r = CliTest.run("import", onnx.toString(), "-o", out.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    ImplicitModel m = ModelFiles.load(out);
    assertTrue(m.provenance().verification().startsWith("PASS: 100/100"), m.provenance().toString());
    assertEquals("LogSoftmax", m.provenance().softmaxDropped());
    Path x = dir.resolve("x.csv");
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      row.append(i == 0 ? "" : ",").append((i % 7) / 7.0);
    }
    Files.writeString(x, row + "\n");
    CliTest.Run a = CliTest.run("predict", out.toString(), "--inputs", x.toString());
    CliTest.Run b = CliTest.run("predict", onnx.toString(), "--inputs", x.toString());
    assertEquals(0, a.code(), a.err());
    assertEquals(a.out(), b.out());
    CliTest.Run mismatch = CliTest.run("verify", onnx.toString(), "--atol", "0", "--rtol", "0", "--samples", "5", "--quiet");
    assertEquals(1, mismatch.code(), mismatch.out());
    assertTrue(mismatch.out().startsWith("FAIL") && mismatch.out().contains("first mismatch: sample"), mismatch.out());
  }

  /** --keep-softmax imports the trailing LogSoftmax: verified against ONNX Runtime, and e^ŷ sums to 1. */
  @Test
  void keepSoftmaxImportsTheTrailingLogSoftmax() throws Exception {
    Path out = dir.resolve("probs.i4j");
    CliTest.Run r = CliTest.run("import", FIXTURES.resolve("digits-mlp-opset9.onnx").toString(), "--keep-softmax",
        "-o", out.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    ImplicitModel m = ModelFiles.load(out);
    assertEquals(null, m.provenance().softmaxDropped());
    assertTrue(m.provenance().verification().startsWith("PASS: 100/100"), m.provenance().toString());
    double[] u = new double[2 * 64];
    java.util.Arrays.setAll(u, i -> (i % 5) / 5.0);
    double[] y = org.implicit4j.solve.Solvers.solve(m, u, 2).outputs();
    for (int s = 0; s < 2; s++) {
      double total = 0;
      for (int k = 0; k < 10; k++) {
        total += Math.exp(y[s * 10 + k]);
      }
      assertEquals(1.0, total, 1e-12, "sample " + s);
    }
  }

  @Test
  void perLayerNamesTheFirstDivergentBlock() {
    String sample = Path.of("samples", "mnist8.onnx").toString();
    CliTest.Run ok = CliTest.run("verify", sample, "--per-layer", "--samples", "5", "--quiet");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("ReLU32_Output_0") && ok.out().contains("every state block matches"), ok.out());
    // With zero tolerance every block differs in the last bits; the first in forward order is named.
    CliTest.Run strict = CliTest.run("verify", sample, "--per-layer", "--samples", "5", "--atol", "0", "--rtol", "0",
        "--quiet");
    assertEquals(1, strict.code(), strict.out());
    assertTrue(strict.out().contains("first divergent block reproduces ONNX tensor 'ReLU32_Output_0'"), strict.out());
  }

  @Test
  void float32PathVerifiesAgainstOnnxRuntimeAndStaysCloseToDouble() throws Exception {
    for (String f : new String[] {"resnet20-cifar.onnx", "mixed-ops-opset17.onnx", "digits-mlp-opset9.onnx"}) {
      CliTest.Run r = CliTest.run("verify", FIXTURES.resolve(f).toString(), "--float32", "--samples", "20", "--quiet");
      assertEquals(0, r.code(), f + ": " + r.out() + r.err());
    }
    ImplicitModel m = OnnxImporter.importFile(FIXTURES.resolve("resnet20-cifar.onnx"), ImportOptions.defaults()).model();
    ImplicitModel f32 = m.withFloat32Kernels();
    assertTrue(f32.a().blocks().stream().anyMatch(b -> b.op() instanceof org.implicit4j.linalg.ScaledOperator s
        && s.inner() instanceof org.implicit4j.linalg.Conv2d c && c.isFloat32()));
    double[] u = new double[4 * m.p()];
    java.util.Random rnd = new java.util.Random(1);
    for (int i = 0; i < u.length; i++) {
      u[i] = rnd.nextDouble();
    }
    double[] y = org.implicit4j.solve.Solvers.solve(m, u, 4).outputs();
    double[] y32 = org.implicit4j.solve.Solvers.solve(f32, u, 4).outputs();
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], y32[i], 1e-4 * Math.max(1, Math.abs(y[i])));
      assertTrue(y[i] != y32[i] || i > 0, "float32 path actually rounds");
    }
  }
}
