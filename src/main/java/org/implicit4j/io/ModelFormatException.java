package org.implicit4j.io;

import org.implicit4j.Implicit4jException;

/** A model, CSV or array file that cannot be read as what it claims to be; names the file. */
public final class ModelFormatException extends Implicit4jException {
  public ModelFormatException(String message) {
    super(Category.BAD_INPUT, message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(Category.BAD_INPUT, message, cause);
  }
}
