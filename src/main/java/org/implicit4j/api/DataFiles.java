package org.implicit4j.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.io.Csv;
import org.implicit4j.io.ModelFormatException;
import org.implicit4j.io.Npy;

/**
 * Data in and out: CSV files of one sample a row (values flattened in C order of the input
 * shape), matrices as CSV, and atomic writes, so a failed run never leaves a partial file.
 */
public final class DataFiles {
  private DataFiles() {}

  /** Rows of exactly {@code width} numbers, from CSV or (by extension) .npy; errors name the file, line and value. */
  public static double[][] readRows(Path file, int width) throws IOException {
    if (isNpy(file)) {
      List<double[]> rows = new java.util.ArrayList<>();
      forEachRow(file, width, rows::add);
      return rows.toArray(new double[0][]);
    }
    return Csv.read(file, width);
  }

  /** Each row of a CSV file (streamed) or a .npy file (rows of its first axis), checked finite. */
  public static void forEachRow(Path file, int width, java.util.function.Consumer<double[]> each) throws IOException {
    if (!isNpy(file)) {
      Csv.forEachNumberRow(file, width, (row, line) -> each.accept(row));
      return;
    }
    Npy.Array a;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      a = Npy.read(in, file.toString(), Long.getLong("implicit4j.maxArrayValues", 1L << 27));
    }
    long per = 1;
    for (int d = 1; d < a.shape().length; d++) {
      per *= a.shape()[d];
    }
    if (a.shape().length < 1 || per != width || a.doubles() == null) {
      throw new ModelFormatException(file + ": a .npy of shape " + java.util.Arrays.toString(a.shape()) + " " + a.dtype()
          + "; expected floating-point rows of " + width + " values (shape (N, " + width + ") or (N, …))");
    }
    for (int r = 0; r < a.shape()[0]; r++) {
      double[] row = java.util.Arrays.copyOfRange(a.doubles(), r * width, (r + 1) * width);
      for (int j = 0; j < width; j++) {
        if (!Double.isFinite(row[j])) {
          throw new ModelFormatException(file + " row " + r + " column " + (j + 1) + ": " + row[j] + " is not finite");
        }
      }
      each.accept(row);
    }
  }

  private static boolean isNpy(Path file) {
    return file.getFileName() != null && file.getFileName().toString().endsWith(".npy");
  }

  /** Rows written as CSV, or as a float64 .npy of shape (rows, width) when the name ends in .npy (atomically). */
  public static void writeRows(Path file, double[][] rows) throws IOException {
    if (isNpy(file)) {
      double[] flat = Csv.flatten(rows);
      AtomicFiles.write(file, out -> Npy.writeDoubles(out, flat, rows.length, rows.length == 0 ? 0 : rows[0].length));
    } else {
      writeText(file, format(rows));
    }
  }

  /** A matrix as CSV rows, its width taken from the first data row. */
  public static double[][] readMatrix(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file + ": no such file");
    }
    List<String> rows = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank() && !l.strip().startsWith("#")).toList();
    if (rows.isEmpty()) {
      throw new ModelFormatException(file + ": no data rows");
    }
    return Csv.read(file, rows.get(0).split(",", -1).length);
  }

  /** Rows as CSV text, shortest round-trip decimal form. */
  public static String format(double[][] rows) {
    return Csv.format(Csv.flatten(rows), rows.length == 0 ? 0 : rows[0].length);
  }

  /** Writes text atomically (a temporary file renamed into place). */
  public static void writeText(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
  }
}
