package org.implicit4j.dsl;

import org.implicit4j.Implicit4jException;

/**
 * An error in a script, at a place: "FILE:LINE:COL: message", then the source line and a caret
 * under the culprit. Syntax errors, unknown names, dimension mismatches and missing files are bad
 * input (exit 2); failed checks and verifications are {@link Category#CHECK_FAILED} (exit 1).
 */
public final class ScriptException extends Implicit4jException {
  private final int line;
  private final int column;
  private final String reason;

  public ScriptException(Category category, String file, int line, int column, String reason, String sourceLine) {
    super(category, format(file, line, column, reason, sourceLine));
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  private static String format(String file, int line, int column, String reason, String sourceLine) {
    StringBuilder s = new StringBuilder().append(file).append(':').append(line).append(':').append(column + 1)
        .append(": ").append(reason);
    if (sourceLine != null) {
      s.append('\n').append("  ").append(sourceLine).append('\n').append("  ");
      // The column counts code points; wide (East Asian) characters take two cells on a terminal.
      int[] cps = sourceLine.codePoints().toArray();
      for (int i = 0; i < column && i < cps.length; i++) {
        s.append(cps[i] == '\t' ? "\t" : wide(cps[i]) ? "  " : " ");
      }
      s.append('^');
    }
    return s.toString();
  }

  /** Whether a terminal shows {@code cp} in two cells (CJK, Hangul, full-width forms, emoji). */
  static boolean wide(int cp) {
    return cp >= 0x1100 && cp <= 0x115F || cp >= 0x2E80 && cp <= 0xA4CF || cp >= 0xAC00 && cp <= 0xD7A3
        || cp >= 0xF900 && cp <= 0xFAFF || cp >= 0xFE30 && cp <= 0xFE4F || cp >= 0xFF00 && cp <= 0xFF60
        || cp >= 0xFFE0 && cp <= 0xFFE6 || cp >= 0x1F300 && cp <= 0x1F64F || cp >= 0x1F900 && cp <= 0x1F9FF
        || cp >= 0x20000 && cp <= 0x3FFFD;
  }

  /** 1-based line. */
  public int line() { return line; }

  /** 1-based column. */
  public int column() { return column + 1; }

  /** The message without location and excerpt. */
  public String reason() { return reason; }
}
