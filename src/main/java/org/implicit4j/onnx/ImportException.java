package org.implicit4j.onnx;

import org.implicit4j.Implicit4jException;

/**
 * An ONNX network that cannot be imported: names the file, and where it applies the node, its op
 * type and the opset, with what to do about it.
 */
public final class ImportException extends Implicit4jException {
  public ImportException(String message) {
    super(Category.BAD_INPUT, message);
  }

  public ImportException(String message, Throwable cause) {
    super(Category.BAD_INPUT, message, cause);
  }
}
