package org.implicit4j.analysis;

import org.implicit4j.Implicit4jException;

/** A model that cannot be rescaled to the requested ‖A‖∞ bound; says why and what is possible. */
public final class RescaleException extends Implicit4jException {
  public RescaleException(String message) {
    super(Category.CHECK_FAILED, message);
  }
}
