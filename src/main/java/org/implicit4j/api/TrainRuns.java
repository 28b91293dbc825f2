package org.implicit4j.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.implicit4j.io.Datasets;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.plot.Pictures;
import org.implicit4j.report.TrainReport;
import org.implicit4j.train.Loss;
import org.implicit4j.train.ModelShapes;
import org.implicit4j.train.Trainer;

/** The training entry points of {@link Implicit}: data, shapes, settings, curves. */
final class TrainRuns {
  private TrainRuns() {}

  /** A fresh model of the options' shape, trained. */
  static Trained fresh(Path data, TrainOptions o) throws IOException {
    Datasets.Labelled d = rows(Datasets.read(data, Datasets.ANY_WIDTH), o.dataRows(), o.scale(), data);
    int p = d.x()[0].length;
    int q = Arrays.stream(d.labels()).max().orElse(0) + 1;
    ImplicitModel init = o.layers().length > 0 ? ModelShapes.layers(p, o.layers(), q, o.seed())
        : ModelShapes.dense(p, o.states() > 0 ? o.states() : 100, q, o.seed());
    return run(init, d, o);
  }

  /** {@code m} fine-tuned, its structure kept. */
  static Trained fineTune(ImplicitModel m, Path data, TrainOptions o) throws IOException {
    return run(m, rows(Datasets.read(data, m.p()), o.dataRows(), o.scale(), data), o);
  }

  /** κ as asked, else {@link Defaults#KAPPA} when A is not strictly triangular, else none. */
  static Double kappa(ImplicitModel m, TrainOptions o) {
    return o.kappa() != null ? o.kappa() : m.isStrictlyUpperTriangular() ? null : Defaults.KAPPA;
  }

  private static Trained run(ImplicitModel init, Datasets.Labelled d, TrainOptions o) throws IOException {
    Double kappa = kappa(init, o);
    for (int label : d.labels()) {
      if (label >= init.q()) {
        throw new IllegalArgumentException("label " + label + " but the model has " + init.q() + " outputs");
      }
    }
    Datasets.Labelled t = o.test() == null ? null
        : rows(Datasets.read(o.test(), init.p()), o.testRows(), o.scale(), o.test());
    Trainer.Settings s = new Trainer.Settings(Loss.parse(o.loss()), o.epochs(), o.batchSize(), o.lr(),
        o.optimizer().equals("sgd"), o.momentum(), kappa, o.seed(), o.l1(), o.robust(), o.freeze(), o.tolerance());
    long total = (long) o.epochs() * ((d.size() + o.batchSize() - 1) / o.batchSize());
    Trainer.Result r = Trainer.train(init, d.x(), d.labels(), t == null ? null : t.x(), t == null ? null : t.labels(),
        s, new Trainer.Listener() {
          @Override
          public void step(int epoch, int batch, int batches, java.util.function.Supplier<ImplicitModel> model) {
            o.progress().step((long) (epoch - 1) * batches + batch, total);
          }

          @Override
          public void epoch(TrainReport.Epoch e) {
            o.progress().note(line(e));
          }
        });
    if (o.curves() != null) {
      Pictures.trainingCurves(r.report(), o.curves());
    }
    return new Trained(Implicit.of(r.model()), r.report());
  }

  /** "epoch  3  loss 0.4123  train 0.8512  test 0.8433  ‖A‖∞ 0.9500  9.1 s". */
  static String line(TrainReport.Epoch e) {
    return String.format(java.util.Locale.ROOT, "epoch %2d  loss %.4f  train %.4f  test %s  \u2016A\u2016\u221e %.4f  %.1f s",
        e.epoch(), e.loss(), e.trainAccuracy(), Double.isNaN(e.testAccuracy()) ? "-"
            : String.format(java.util.Locale.ROOT, "%.4f", e.testAccuracy()), e.normInf(), e.seconds());
  }

  /** Rows [from, to) of a data set, inputs scaled. */
  static Datasets.Labelled rows(Datasets.Labelled d, int[] range, double scale, Path file) {
    int from = range[0];
    int to = range[1] == 0 ? d.size() : Math.min(range[1], d.size());
    if (from < 0 || from >= to) {
      throw new IllegalArgumentException(file + ": rows " + range[0] + ":" + range[1] + " select none of its "
          + d.size() + " samples");
    }
    double[][] x = Arrays.copyOfRange(d.x(), from, to);
    if (scale != 1) {
      for (double[] row : x) {
        for (int j = 0; j < row.length; j++) {
          row[j] *= scale;
        }
      }
    }
    return new Datasets.Labelled(x, Arrays.copyOfRange(d.labels(), from, to));
  }
}
