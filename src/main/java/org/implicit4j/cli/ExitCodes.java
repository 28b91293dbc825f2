package org.implicit4j.cli;

/** The CLI's exit statuses. */
public final class ExitCodes {
  public static final int OK = 0;
  /** A check failed: verification mismatch, non-convergence, a well-posedness requirement. */
  public static final int CHECK_FAILED = 1;
  /** Bad input or usage: unreadable files, unsupported ops, wrong sizes, bad options. */
  public static final int BAD_INPUT = 2;
  /** A bug in implicit4j. */
  public static final int INTERNAL = 3;

  private ExitCodes() {}
}
