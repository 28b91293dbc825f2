package org.implicit4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.implicit4j.api.ProgressListener;

/** A progress bar on stderr, shown only on a terminal and without --quiet. */
final class Progress implements AutoCloseable, ProgressListener {
  private final java.io.PrintWriter notes;

  private final ProgressBar bar;

  Progress(String task, long total, boolean quiet) {
    this(task, total, quiet, null);
  }

  /** With {@code notes}, lines such as epoch metrics are written there as they happen. */
  Progress(String task, long total, boolean quiet, java.io.PrintWriter notes) {
    this.notes = notes;
    bar = quiet || System.console() == null ? null
        : new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
  }

  @Override
  public void step(long done, long total) {
    if (bar != null) {
      bar.maxHint(total);
      bar.stepTo(done);
    }
  }

  /** Printed on stderr as it happens (the bar, when shown, redraws below it). */
  @Override
  public void note(String line) {
    if (notes != null) {
      notes.println(line);
      notes.flush();
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
