package org.implicit4j.fuzz;

import org.implicit4j.Implicit4jException;

/**
 * The contract every fuzz target asserts: an input is accepted, or refused with the project's typed
 * exception (Implicit4jException: exit 2 or 1 with one line naming the culprit). Anything else —
 * another exception, an Error such as OutOfMemoryError or StackOverflowError — is a finding; a hang
 * past the fuzzer's timeout is one too.
 */
final class FuzzContract {
  private FuzzContract() {}

  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  static void check(Body body) {
    try {
      body.run();
    } catch (Implicit4jException expected) {
      // refused with a typed, named error: within the contract
    } catch (java.io.UncheckedIOException e) {
      if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
        throw new AssertionError("untyped I/O failure: " + e, e);
      }
    } catch (Exception e) {
      throw new AssertionError("outside the contract: " + e, e);
    }
  }
}
