package org.implicit4j.train;

import org.implicit4j.Implicit4jException;

/** Training cannot go on as asked (e.g. the ‖A‖∞ ≤ κ constraint cannot be kept); says why. */
public final class TrainingException extends Implicit4jException {
  public TrainingException(String message) {
    super(Category.BAD_INPUT, message);
  }
}
