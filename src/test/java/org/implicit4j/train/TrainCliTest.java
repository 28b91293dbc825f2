package org.implicit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.implicit4j.cli.CliTest;
import org.implicit4j.export.OnnxExporter;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train` from the command line: fresh shapes, and fine-tuning the digits CNN, which still exports to ONNX. */
class TrainCliTest {
  static final Path CNN = Path.of("src/test/resources/fixtures/digits-cnn-opset13.onnx");

  @TempDir Path dir;

  /** n rows "label,64 pixels in 0..16" labelled by the CNN itself (so fine-tuning has something to keep). */
  private Path digitsLike(int n, long seed) throws Exception {
    ImplicitModel cnn = OnnxImporter.importFile(CNN, ImportOptions.defaults()).model();
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double[] u = new double[64];
      StringBuilder row = new StringBuilder();
      for (int j = 0; j < 64; j++) {
        int v = r.nextInt(17);
        u[j] = v / 16.0;
        row.append(',').append(v);
      }
      double[] y = Solvers.solve(cnn, u, 1).output(0);
      int best = 0;
      for (int t = 1; t < 10; t++) {
        best = y[t] > y[best] ? t : best;
      }
      sb.append(best).append(row).append('\n');
    }
    Path f = dir.resolve("digits-like.csv");
    Files.writeString(f, sb);
    return f;
  }

  @Test
  void freshLayeredModelTrainsAndIsAModelFileOthersAccept() throws Exception {
    Path data = digitsLike(300, 1);
    Path out = dir.resolve("mlp.i4j");
    Path curves = dir.resolve("curves.png");
    CliTest.Run r = CliTest.run("train", "--data", data.toString(), "--scale", "0.0625", "--layers", "16",
        "--epochs", "3", "--batch-size", "30", "--lr", "0.01", "--kappa", "0.9", "-o", out.toString(), "--curves", curves.toString(),
        "--json", "-q");
    assertEquals(0, r.code(), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(3, o.get("epochs").getAsInt());
    assertTrue(o.get("normInf").getAsDouble() <= 0.9, r.out());
    assertTrue(javax.imageio.ImageIO.read(curves.toFile()).getWidth() == 960);
    ImplicitModel m = ModelFiles.load(out);
    assertEquals(64, m.p());
    assertEquals(10, m.q());
    CliTest.Run info = CliTest.run("info", out.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("strictly upper"), info.out());
  }

  @Test
  void fineTunedCnnStillExportsAndOnnxRuntimeAgrees() throws Exception {
    Path data = digitsLike(200, 2);
    Path out = dir.resolve("cnn-tuned.i4j");
    CliTest.Run r = CliTest.run("train", "--from", CNN.toString(), "--data", data.toString(), "--scale", "0.0625",
        "--epochs", "1", "--batch-size", "50", "--lr", "1e-3", "-o", out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    ImplicitModel before = OnnxImporter.importFile(CNN, ImportOptions.defaults()).model();
    ImplicitModel tuned = ModelFiles.load(out);
    assertEquals(before.n(), tuned.n());
    Random rnd = new Random(3);
    float[] x = new float[5 * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextInt(17) / 16f;
    }
    assertChangedAndExportAgrees(before, tuned, x, 5, "cnn-tuned.onnx");
  }

  /** The tuned model's outputs moved away from the original's, and its ONNX export agrees with it under ORT. */
  private void assertChangedAndExportAgrees(ImplicitModel before, ImplicitModel tuned, float[] x, int batch, String file)
      throws Exception {
    double[] u = new double[x.length];
    for (int i = 0; i < u.length; i++) {
      u[i] = x[i];
    }
    double[] y0 = Solvers.solve(before, u, batch).outputs();
    double[] y1 = Solvers.solve(tuned, u, batch).outputs();
    double change = 0;
    for (int i = 0; i < y0.length; i++) {
      change = Math.max(change, Math.abs(y0[i] - y1[i]));
    }
    assertTrue(change > 1e-6, "fine-tuning changed nothing");
    Path onnx = dir.resolve(file);
    OnnxExporter.export(tuned, onnx);
    float[] ref = org.implicit4j.export.OnnxExportTest.ort(onnx, x, batch, tuned.p());
    for (int i = 0; i < y1.length; i++) {
      assertTrue(Math.abs(y1[i] - ref[i]) <= 1e-4 + 1e-4 * Math.abs(y1[i]),
          String.format(Locale.ROOT, "output %d: predict %.6f, ONNX Runtime %.6f", i, y1[i], ref[i]));
    }
  }

  /**
   * Fine-tuning runs through product blocks: the imported LSTM classifier (gates as products)
   * trains, its outputs change, and the tuned model still exports and agrees with ONNX Runtime.
   */
  @Test
  void fineTunedLstmTrainsThroughItsGates() throws Exception {
    Path lstm = Path.of("src/test/resources/fixtures/lstm-classifier-opset14.onnx");
    Random r = new Random(9);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      double[] v = new double[40];
      StringBuilder row = new StringBuilder();
      double first = 0;
      for (int j = 0; j < 40; j++) {
        v[j] = 2 * r.nextDouble() - 1;
        first += j < 8 ? v[j] : 0;
        row.append(',').append(String.format(Locale.ROOT, "%.4f", v[j]));
      }
      sb.append(first > 0 ? 1 : 0).append(row).append('\n');
    }
    Path data = dir.resolve("seq.csv");
    Files.writeString(data, sb);
    Path out = dir.resolve("lstm-tuned.i4j");
    CliTest.Run run = CliTest.run("train", "--from", lstm.toString(), "--data", data.toString(), "--epochs", "2",
        "--batch-size", "20", "--lr", "1e-2", "-o", out.toString(), "-q");
    assertEquals(0, run.code(), run.err());
    ImplicitModel before = OnnxImporter.importFile(lstm, ImportOptions.defaults()).model();
    ImplicitModel tuned = ModelFiles.load(out);
    float[] x = new float[3 * 40];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (2 * r.nextDouble() - 1);
    }
    assertChangedAndExportAgrees(before, tuned, x, 3, "lstm-tuned.onnx");
  }

  @Test
  void badRowRangesAreRefused() {
    CliTest.Run r = CliTest.run("train", "--data", "x.csv", "--data-rows", "5:2", "--layers", "4", "-o", "o.i4j");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("rows '5:2'"), r.err());
  }
}
