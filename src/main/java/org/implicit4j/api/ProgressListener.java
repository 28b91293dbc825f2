package org.implicit4j.api;

/** Told how long work is going: {@code done} of {@code total} units (samples, batches, epochs). */
@FunctionalInterface
public interface ProgressListener {
  void step(long done, long total);

  /** A line worth showing as it happens (e.g. an epoch's metrics); ignored by default. */
  default void note(String line) {}

  /** A listener that ignores everything. */
  static ProgressListener none() {
    return (done, total) -> {};
  }
}
