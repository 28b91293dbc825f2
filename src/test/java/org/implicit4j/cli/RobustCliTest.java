package org.implicit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.implicit4j.api.Implicit;
import org.implicit4j.io.Npy;
import org.implicit4j.model.Activation;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `robust` and `attack` from the command line, on the digits MLP fixture (PyTorch, trained on UCI digits). */
class RobustCliTest {
  static final Path MLP = Path.of("src/test/resources/fixtures/digits-mlp-opset9.onnx");

  @TempDir Path dir;
  private Implicit model;
  private double[][] x;
  private int[] labels;

  /** 30 seeded inputs in [0, 1]⁶⁴, labelled with the model's own prediction (one label flipped). */
  @BeforeEach
  void data() {
    model = Implicit.load(MLP);
    Random r = new Random(3);
    x = new double[30][64];
    labels = new int[30];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 64; j++) {
        x[i][j] = r.nextInt(17) / 16.0;
      }
      labels[i] = argmax(model.predict(new double[][] {x[i]})[0]);
    }
    labels[0] = (labels[0] + 1) % 10;
  }

  private static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      best = v[i] > v[best] ? i : best;
    }
    return best;
  }

  private Path csv(boolean withLabels, int rows) throws Exception {
    StringBuilder sb = new StringBuilder(withLabels ? "label" : "");
    for (int j = 0; j < 64 && withLabels; j++) {
      sb.append(",p").append(j);
    }
    sb.append(withLabels ? "\n" : "");
    for (int i = 0; i < rows; i++) {
      StringBuilder row = new StringBuilder(withLabels ? labels[i] + "," : "");
      for (int j = 0; j < 64; j++) {
        row.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", x[i][j]));
      }
      sb.append(row).append('\n');
    }
    Path f = dir.resolve(withLabels ? "data.csv" : "x.csv");
    Files.writeString(f, sb);
    return f;
  }

  @Test
  void robustJsonHasSensitivityCertificatesAndLpBounds() throws Exception {
    CliTest.Run r = CliTest.run("robust", MLP.toString(), "--inputs", csv(false, 3).toString(), "--sigma", "0.02",
        "--k", "5", "--lp", "--clip", "0,1", "--json", "-q");
    assertEquals(0, r.code(), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonArray s = o.getAsJsonArray("sensitivity");
    SensitivityMatrix want = model.sensitivity();
    assertEquals(10, s.size());
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 64; j++) {
        assertEquals(want.get(i, j), s.get(i).getAsJsonArray().get(j).getAsDouble(), 1e-12 * want.get(i, j));
      }
    }
    JsonArray samples = o.getAsJsonArray("samples");
    assertEquals(3, samples.size());
    for (JsonElement e : samples) {
      JsonObject c = e.getAsJsonObject();
      assertTrue(c.has("sample") && c.has("predicted") && c.has("certified"), c.toString());
      JsonArray targets = c.getAsJsonArray("targets");
      assertEquals(9, targets.size());
      for (JsonElement t : targets) {
        JsonObject b = t.getAsJsonObject();
        assertTrue(b.get("lpBound").getAsDouble() >= b.get("nominalMargin").getAsDouble() - 1e-9, b.toString());
        assertTrue(b.get("target").getAsInt() != c.get("predicted").getAsInt());
      }
    }
  }

  @Test
  void sensitivityOutAndPlotsAreWritten() throws Exception {
    Path sOut = dir.resolve("S.csv");
    Path plots = dir.resolve("plots");
    CliTest.Run r = CliTest.run("robust", MLP.toString(), "--sigma", "0.1", "--sensitivity-out", sOut.toString(),
        "--plot", plots.toString(), "--json", "-q");
    assertEquals(0, r.code(), r.err());
    assertFalse(JsonParser.parseString(r.out()).getAsJsonObject().has("sensitivity"));
    List<String> rows = Files.readAllLines(sOut);
    assertEquals(10, rows.size());
    assertEquals(64, rows.get(0).split(",").length);
    assertEquals(model.sensitivity().get(3, 5), Double.parseDouble(rows.get(3).split(",")[5]), 0);
    for (String png : List.of("sensitivity-rows.png", "sparsity.png")) {
      assertTrue(javax.imageio.ImageIO.read(plots.resolve(png).toFile()).getWidth() > 100, png);
    }
  }

  @Test
  void gatedProductsAreRefusedByName() throws Exception {
    Path gate = dir.resolve("gate.i4j");
    Implicit.parallel(model, model).product(Activation.TANH, Activation.SIGMOID).save(gate);
    CliTest.Run r = CliTest.run("robust", gate.toString(), "--sigma", "0.1");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("'gate' (gated_product(tanh,sigmoid))") && r.err().contains("non-expansive"), r.err());
  }

  @Test
  void attackWritesTheAttackedInputsAndTheyArePredictedAsReported() throws Exception {
    Path out = dir.resolve("attack");
    CliTest.Run r = CliTest.run("attack", MLP.toString(), "--data", csv(true, 30).toString(), "--method", "gradient",
        "--k", "2,10", "--sigma", "0.3", "--clip", "0,1", "--out", out.toString(), "--json", "-q");
    assertEquals(0, r.code(), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(29.0 / 30, o.get("cleanAccuracy").getAsDouble(), 1e-12);
    JsonArray rows = o.getAsJsonArray("rows");
    for (int kk = 0; kk < 2; kk++) {
      int k = rows.get(kk).getAsJsonObject().get("k").getAsInt();
      Npy.Array a;
      try (InputStream in = Files.newInputStream(out.resolve("attacked-gradient-k" + k + ".npy"))) {
        a = Npy.read(in, "attacked", Long.MAX_VALUE);
      }
      assertEquals(30, a.shape()[0]);
      int right = 0;
      for (int i = 0; i < 30; i++) {
        double[] u = java.util.Arrays.copyOfRange(a.doubles(), i * 64, (i + 1) * 64);
        int changed = 0;
        for (int j = 0; j < 64; j++) {
          changed += Math.abs(u[j] - x[i][j]) > 1e-6 ? 1 : 0;
          assertTrue(Math.abs(u[j] - x[i][j]) <= 0.3 + 1e-6 && u[j] >= 0 && u[j] <= 1, "sample " + i + " input " + j);
        }
        assertTrue(changed <= k, "sample " + i + " changed " + changed);
        right += argmax(Solvers.solve(model.model(), u, 1).output(0)) == labels[i] ? 1 : 0;
      }
      assertEquals(right / 30.0, rows.get(kk).getAsJsonObject().get("accuracy").getAsDouble(), 1e-6, "k=" + k);
    }
    for (String f : List.of("attack-gradient.csv", "attack-gradient.json", "attack-gradient.png", "labels.npy")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
  }

  @Test
  void badOptionsAreRefusedBeforeWork() {
    CliTest.Run r = CliTest.run("attack", MLP.toString(), "--data", "nope.csv", "--sigma", "0.1", "--clip", "1,0");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--clip '1,0'"), r.err());
    CliTest.Run r2 = CliTest.run("robust", MLP.toString());
    assertEquals(2, r2.code(), r2.err());
    assertTrue(r2.err().contains("--sigma"), r2.err());
  }
}
