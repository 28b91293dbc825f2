package org.implicit4j.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ch.randelshofer.fastdoubleparser.JavaDoubleParser;

/**
 * CSV batches: one sample a row, values flattened in C order, comma-separated. Blank lines and
 * lines starting with '#' are skipped.
 */
public final class Csv {
  private Csv() {}

  /**
   * Reads rows of exactly {@code width} numbers into one batch × width array (sample-major). A
   * UTF-8 byte-order mark and a header line (a first line that is not numeric) are skipped; values
   * must be finite. Errors name the file, line and column.
   */
  public static double[][] read(Path file, int width) throws IOException {
    List<double[]> rows = new ArrayList<>();
    forEachNumberRow(file, width, (row, no) -> rows.add(row));
    if (rows.isEmpty()) {
      throw new ModelFormatException(file + ": no data rows");
    }
    return rows.toArray(new double[0][]);
  }

  /** Receives one data line's comma-separated fields and its 1-based line number. */
  @FunctionalInterface
  public interface RowConsumer {
    void accept(String[] fields, int line);
  }

  /**
   * Calls {@code each} for every data line: blank lines, '#' comments and a header line skipped,
   * a byte-order mark removed; bytes that are not UTF-8 are refused naming the line.
   */
  public static void forEachRow(Path file, RowConsumer each) throws IOException {
    forEachLine(file, (t, no) -> each.accept(t.split(",", -1), no));
  }

  /** Receives a row of numbers and its 1-based line number. */
  @FunctionalInterface
  public interface NumberRowConsumer {
    void accept(double[] row, int line);
  }

  /**
   * Calls {@code each} with every data line's {@code width} finite numbers, as {@link #forEachRow}
   * then {@link #numbers} would, with the same errors, but parsed in place: no field strings
   * (FastDoubleParser reads the line between the commas; 512 rows of 3,072 values from a cold JVM:
   * 303 ms with split and Double.parseDouble, measured here).
   */
  public static void forEachNumberRow(Path file, int width, NumberRowConsumer each) throws IOException {
    forEachLine(file, (t, no) -> each.accept(parseRow(t, width, file, no), no));
  }

  /** {@code width} finite numbers from one comma-separated line; errors name file, line, column. */
  static double[] parseRow(String t, int width, Path file, int line) {
    int fields = 1;
    for (int i = t.indexOf(','); i >= 0; i = t.indexOf(',', i + 1)) {
      fields++;
    }
    if (fields != width) {
      throw new ModelFormatException(file + " line " + line + ": " + fields + " values, expected " + width
          + " (the model's input size, flattened in C order)");
    }
    double[] v = new double[width];
    int start = 0;
    for (int k = 0; k < width; k++) {
      int end = k == width - 1 ? t.length() : t.indexOf(',', start);
      int a = start;
      int b = end;
      while (a < b && Character.isWhitespace(t.charAt(a))) {
        a++;
      }
      while (b > a && Character.isWhitespace(t.charAt(b - 1))) {
        b--;
      }
      v[k] = number(t, a, b - a, file, line, k + 1);
      start = end + 1;
    }
    return v;
  }

  /** Receives a stripped data line and its 1-based line number. */
  @FunctionalInterface
  private interface LineConsumer {
    void accept(String line, int no);
  }

  /**
   * Calls {@code each} for every data line: blank lines, '#' comments and a header line skipped,
   * a byte-order mark removed; bytes that are not UTF-8 are refused naming the line.
   */
  private static void forEachLine(Path file, LineConsumer each) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file + (Files.isDirectory(file) ? ": is a directory" : ": no such file"));
    }
    int no = 0;
    boolean first = true;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        no++;
        String t = (no == 1 ? line.replace("\uFEFF", "") : line).strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        if (first) {
          first = false;
          int comma = t.indexOf(',');
          if (!numeric(t.substring(0, comma < 0 ? t.length() : comma))) {
            continue; // a header row
          }
        }
        each.accept(t, no);
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ModelFormatException(file + " line " + (no + 1) + ": not UTF-8 text (save the file as UTF-8)");
    }
  }

  private static boolean numeric(String s) {
    try {
      Double.parseDouble(s.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code count} finite numbers from {@code parts[from…]}; errors name the file, line and column. */
  public static double[] numbers(String[] parts, int from, int count, Path file, int line) {
    double[] v = new double[count];
    for (int k = 0; k < count; k++) {
      String f = parts[from + k].strip();
      v[k] = number(f, 0, f.length(), file, line, from + k + 1);
    }
    return v;
  }

  /** The finite number in s[off, off + len); errors name the file, line and column. */
  private static double number(CharSequence s, int off, int len, Path file, int line, int column) {
    double v;
    try {
      v = JavaDoubleParser.parseDouble(s, off, len);
    } catch (NumberFormatException e) {
      throw new ModelFormatException(file + " line " + line + " column " + column + ": '"
          + visible(s.subSequence(off, off + len).toString()) + "' is not a number");
    }
    if (!Double.isFinite(v)) {
      throw new ModelFormatException(file + " line " + line + " column " + column + ": "
          + s.subSequence(off, off + len) + " is not a finite number; inputs must be finite");
    }
    return v;
  }

  /** The text with invisible characters shown as \\uXXXX, so an error names what is really there. */
  static String visible(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == '\uFEFF') {
        b.append(String.format("\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
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
