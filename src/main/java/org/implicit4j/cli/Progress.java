package org.implicit4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.implicit4j.api.ProgressListener;

/** A progress bar on stderr, shown only on a terminal and without --quiet. */
final class Progress implements AutoCloseable, ProgressListener {
  private final ProgressBar bar;

  Progress(String task, long total, boolean quiet) {
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

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
