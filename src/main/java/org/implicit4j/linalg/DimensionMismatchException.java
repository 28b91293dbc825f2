package org.implicit4j.linalg;

import org.implicit4j.Implicit4jException;

/** Two shapes that must agree do not; the message names both sides. */
public final class DimensionMismatchException extends Implicit4jException {
  public DimensionMismatchException(String message) {
    super(Category.BAD_INPUT, message);
  }

  /** Throws unless {@code left == right}: "what: leftName left ≠ rightName right". */
  public static void check(String what, String leftName, long left, String rightName, long right) {
    if (left != right) {
      throw new DimensionMismatchException(
          what + ": " + leftName + " " + left + " \u2260 " + rightName + " " + right);
    }
  }
}
