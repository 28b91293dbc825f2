package org.implicit4j.solve;

import org.implicit4j.Implicit4jException;

/** A batch whose states (batch × n values) do not fit one Java array: checked before allocating. */
public final class BatchTooLargeException extends Implicit4jException {
  BatchTooLargeException(int batch, int n) {
    super(Category.BAD_INPUT, "the states of " + batch + " samples × n = " + n + " do not fit one Java array ("
        + "at most " + (Integer.MAX_VALUE - 8) + " values); solve fewer samples at a time (--batch-size), or "
        + "ask only for predictions, which back-substitution computes a chunk of samples at a time");
  }

  /** Throws unless batch × n values fit one array. */
  static void check(int batch, int n) {
    if ((long) batch * n > Integer.MAX_VALUE - 8) {
      throw new BatchTooLargeException(batch, n);
    }
  }
}
