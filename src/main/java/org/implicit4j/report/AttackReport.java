package org.implicit4j.report;

import java.util.List;
import java.util.Locale;

/**
 * Accuracy under a sparse bounded attack, per budget k (number of inputs changed), as in El Ghaoui
 * et al. Table 1: every attacked input stays within |u − u₀| ≤ σu and the valid range, and is
 * re-predicted to decide whether it is misclassified.
 *
 * @param samples inputs attacked
 * @param cleanAccuracy accuracy on the unperturbed inputs
 */
public record AttackReport(String method, double sigma, int samples, double cleanAccuracy, List<Row> rows) {
  /**
   * One budget: accuracy under attack and the success rate (the fraction of the inputs correctly
   * classified at u₀ that the attack made misclassified).
   */
  public record Row(int k, int correct, int flipped, double accuracy, double successRate) {}

  /** The table as CSV: method,sigma,k,accuracy,success_rate,flipped,correct_before. */
  public String csv() {
    StringBuilder sb = new StringBuilder("method,sigma,k,accuracy,success_rate,flipped,correct_before\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%d,%d%n", method, sigma, r.k(), r.accuracy(),
          r.successRate(), r.flipped(), r.correct()));
    }
    return sb.toString();
  }

  /** One JSON object: method, sigma, samples, cleanAccuracy and one row per k. */
  public String json() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "{\"method\":\"%s\",\"sigma\":%s,\"samples\":%d,\"cleanAccuracy\":%s,\"rows\":[", method, sigma, samples,
        cleanAccuracy));
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"k\":%d,\"accuracy\":%s,\"successRate\":%s,\"flipped\":%d,\"correctBefore\":%d}", r.k(),
          r.accuracy(), r.successRate(), r.flipped(), r.correct()));
    }
    return sb.append("]}").toString();
  }

  /** A table for the terminal. */
  public String text() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%s attack, sigma %s, %d samples, clean accuracy %.4f%n%8s %10s %14s%n", method, sigma, samples,
        cleanAccuracy, "k", "accuracy", "success rate"));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%8d %10.4f %14.4f%n", r.k(), r.accuracy(), r.successRate()));
    }
    return sb.toString();
  }
}
