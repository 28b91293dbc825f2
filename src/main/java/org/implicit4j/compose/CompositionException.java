package org.implicit4j.compose;

import org.implicit4j.Implicit4jException;

/** A composition with no well-defined result (e.g. an algebraic loop I − D₁KD₂ that cannot be inverted). */
public final class CompositionException extends Implicit4jException {
  public CompositionException(String message) {
    super(Category.BAD_INPUT, message);
  }
}
