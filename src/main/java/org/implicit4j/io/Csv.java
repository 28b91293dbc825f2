package org.implicit4j.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV batches: one sample a row, values flattened in C order, comma-separated. Blank lines and
 * lines starting with '#' are skipped.
 */
public final class Csv {
  private Csv() {}

  /** Reads rows of exactly {@code width} numbers into one batch × width array (sample-major). */
  public static double[][] read(Path file, int width) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file + ": no such file");
    }
    List<double[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] parts = t.split(",", -1);
        if (parts.length != width) {
          throw new ModelFormatException(file + " line " + no + ": " + parts.length + " values, expected " + width
              + " (the model's input size, flattened in C order)");
        }
        double[] v = new double[width];
        for (int k = 0; k < width; k++) {
          try {
            v[k] = Double.parseDouble(parts[k].strip());
          } catch (NumberFormatException e) {
            throw new ModelFormatException(file + " line " + no + " value " + (k + 1) + ": '" + parts[k].strip()
                + "' is not a number");
          }
        }
        rows.add(v);
      }
    }
    if (rows.isEmpty()) {
      throw new ModelFormatException(file + ": no data rows");
    }
    return rows.toArray(new double[0][]);
  }

  /** Formats rows of a sample-major batch, shortest round-trip decimal form. */
  public static String format(double[] batch, int width) {
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < batch.length / Math.max(1, width); s++) {
      for (int k = 0; k < width; k++) {
        if (k > 0) {
          sb.append(',');
        }
        sb.append(batch[s * width + k]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Flattens rows into one sample-major array. */
  public static double[] flatten(double[][] rows) {
    int w = rows.length == 0 ? 0 : rows[0].length;
    double[] f = new double[rows.length * w];
    for (int s = 0; s < rows.length; s++) {
      System.arraycopy(rows[s], 0, f, s * w, w);
    }
    return f;
  }
}
