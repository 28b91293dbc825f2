package org.implicit4j.io;

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
    forEachDataLine(file, (b, from, to, text, no) -> each.accept(
        text != null ? parseRow(text, width, file, no) : parseRow(b, from, to, width, file, no), no));
  }

  /**
   * {@link #parseRow(String, int, Path, int)} from a line of ASCII bytes [from, to), stripped: the
   * numbers parsed from the bytes; a field that is not a finite number gets the String path's error.
   */
  private static double[] parseRow(byte[] b, int from, int to, int width, Path file, int line) {
    int fields = 1;
    for (int i = from; i < to; i++) {
      if (b[i] == ',') {
        fields++;
      }
    }
    if (fields != width) {
      return parseRow(text(b, from, to), width, file, line);
    }
    double[] v = new double[width];
    int start = from;
    for (int k = 0; k < width; k++) {
      int end = start;
      while (end < to && b[end] != ',') {
        end++;
      }
      int lo = skipBlanks(b, start, end);
      v[k] = number(b, lo, trimBlanks(b, lo, end) - lo, from, to, file, line, k + 1);
      start = end + 1;
    }
    return v;
  }

  /** The finite number in b[off, off + len) of the line b[from, to); errors as {@link #number(CharSequence, int, int, Path, int, int)}'s. */
  private static double number(byte[] b, int off, int len, int from, int to, Path file, int line, int column) {
    try {
      double v = JavaDoubleParser.parseDouble(b, off, len);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) { // the String path says what is there
    }
    return number(text(b, from, to), off - from, len, file, line, column);
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
    forEachDataLine(file, (b, from, to, text, no) ->
        each.accept(text != null ? text : text(b, from, to), no));
  }

  /** A stripped data line: ASCII bytes b[from, to) with text null, or, for other lines, its decoded text. */
  @FunctionalInterface
  private interface DataLineConsumer {
    void accept(byte[] b, int from, int to, String text, int no);
  }

  /** {@link #forEachLine} without decoding ASCII lines (the numbers' lines): they are passed as bytes. */
  private static void forEachDataLine(Path file, DataLineConsumer each) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file + (Files.isDirectory(file) ? ": is a directory" : ": no such file"));
    }
    boolean first = true;
    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    try (java.io.InputStream in = Files.newInputStream(file)) {
      ByteLines lines = new ByteLines(in);
      while (lines.next()) {
        byte[] b = lines.bytes();
        int from = lines.start();
        int to = lines.end();
        String text = ascii(b, from, to) ? null : decode(utf8, lines, file);
        if (text == null) {
          from = skipBlanks(b, from, to);
          to = trimBlanks(b, from, to);
        }
        if (text != null ? text.isEmpty() || text.startsWith("#") : from == to || b[from] == '#') {
          continue;
        }
        if (first) {
          first = false;
          String t = text != null ? text : text(b, from, to);
          int comma = t.indexOf(',');
          if (!numeric(t.substring(0, comma < 0 ? t.length() : comma))) {
            continue; // a header row
          }
        }
        each.accept(b, from, to, text, lines.number());
      }
    }
  }

  /** The first index of b[from, to) that is not whitespace, or to. */
  private static int skipBlanks(byte[] b, int from, int to) {
    while (from < to && Character.isWhitespace(b[from])) {
      from++;
    }
    return from;
  }

  /** One past the last index of b[from, to) that is not whitespace, or from. */
  private static int trimBlanks(byte[] b, int from, int to) {
    while (to > from && Character.isWhitespace(b[to - 1])) {
      to--;
    }
    return to;
  }

  /** ASCII bytes b[from, to) as text, for the String path (headers, error messages). */
  private static String text(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static boolean ascii(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /** The line as UTF-8 text, stripped (and, on line 1, without byte-order marks); refused when not UTF-8. */
  private static String decode(java.nio.charset.CharsetDecoder utf8, ByteLines lines, Path file) {
    String line;
    try {
      line = utf8.decode(java.nio.ByteBuffer.wrap(lines.bytes(), lines.start(), lines.end() - lines.start()))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ModelFormatException(file + " line " + lines.number() + ": not UTF-8 text (save the file as UTF-8)");
    }
    return (lines.number() == 1 ? line.replace("\uFEFF", "") : line).strip();
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
