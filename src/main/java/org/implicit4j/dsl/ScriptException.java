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
      for (int i = 0; i < column && i < sourceLine.length(); i++) {
        s.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
      }
      s.append('^');
    }
    return s.toString();
  }

  /** 1-based line. */
  public int line() { return line; }

  /** 1-based column. */
  public int column() { return column + 1; }

  /** The message without location and excerpt. */
  public String reason() { return reason; }
}
