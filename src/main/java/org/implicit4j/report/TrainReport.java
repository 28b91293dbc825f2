package org.implicit4j.report;

import java.util.List;
import java.util.Locale;

/**
 * How a training run went, epoch by epoch: mean training loss, training and test accuracy, ‖A‖∞
 * after the epoch's last step (≤ κ when the projection is on), and wall-clock seconds.
 *
 * @param frozen blocks kept fixed (by name, or of a kind without trainable values)
 * @param trainableValues number of trained parameters
 */
public record TrainReport(String loss, String optimizer, List<Epoch> epochs, List<String> frozen, long trainableValues) {
  /** One epoch; {@code testAccuracy} is NaN without a test set. */
  public record Epoch(int epoch, double loss, double trainAccuracy, double testAccuracy, double normInf,
      double seconds) {}

  public Epoch last() {
    return epochs.get(epochs.size() - 1);
  }

  public String csv() {
    StringBuilder sb = new StringBuilder("epoch,loss,train_accuracy,test_accuracy,norm_inf,seconds\n");
    for (Epoch e : epochs) {
      sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f%n", e.epoch(), e.loss(), e.trainAccuracy(),
          e.testAccuracy(), e.normInf(), e.seconds()));
    }
    return sb.toString();
  }

  public String json() {
    Epoch e = last();
    return String.format(Locale.ROOT, "{\"loss\":\"%s\",\"optimizer\":\"%s\",\"epochs\":%d,\"trainableValues\":%d,"
        + "\"finalLoss\":%s,\"trainAccuracy\":%s,\"testAccuracy\":%s,\"normInf\":%s,\"secondsPerEpoch\":%s}", loss,
        optimizer, epochs.size(), trainableValues, e.loss(), e.trainAccuracy(), Double.isNaN(e.testAccuracy()) ? "null"
            : e.testAccuracy(), e.normInf(), epochs.stream().mapToDouble(Epoch::seconds).average().orElse(0));
  }
}
