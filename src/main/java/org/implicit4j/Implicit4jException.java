package org.implicit4j;

/**
 * Root of implicit4j's typed errors. Every error says which category it falls in, so that the CLI
 * can map it to an exit code without knowing the concrete type: {@link Category#BAD_INPUT} (exit 2)
 * for input the user must fix, {@link Category#CHECK_FAILED} (exit 1) for a numerical check
 * (convergence, verification, well-posedness) that did not pass.
 */
public abstract class Implicit4jException extends RuntimeException {
  /** What kind of failure this is, independent of where it came from. */
  public enum Category { BAD_INPUT, CHECK_FAILED }

  private final Category category;

  protected Implicit4jException(Category category, String message) {
    super(message);
    this.category = category;
  }

  protected Implicit4jException(Category category, String message, Throwable cause) {
    super(message, cause);
    this.category = category;
  }

  public Category category() {
    return category;
  }
}
