package org.implicit4j.linalg;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Splits loops over the common fork-join pool when the work is large enough to pay for it. */
public final class Parallel {
  /** Below this many multiply-adds a loop runs on the calling thread. */
  static final long MIN_PARALLEL_WORK = 1L << 15;

  private Parallel() {}

  /** Runs {@code body(i)} for i in [0, n), in parallel when {@code workPerItem * n} is large. */
  public static void forEach(int n, long workPerItem, IntConsumer body) {
    if (n > 1 && workPerItem * n >= MIN_PARALLEL_WORK && Runtime.getRuntime().availableProcessors() > 1) {
      IntStream.range(0, n).parallel().forEach(body);
    } else {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
    }
  }
}
