package org.implicit4j.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.io.Csv;
import org.implicit4j.io.ModelFormatException;

/**
 * Data in and out: CSV files of one sample a row (values flattened in C order of the input
 * shape), matrices as CSV, and atomic writes, so a failed run never leaves a partial file.
 */
public final class DataFiles {
  private DataFiles() {}

  /** Rows of exactly {@code width} numbers; errors name the file, line and value. */
  public static double[][] readRows(Path file, int width) throws IOException {
    return Csv.read(file, width);
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
