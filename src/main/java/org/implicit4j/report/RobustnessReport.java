package org.implicit4j.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * What the robustness bounds certify for a model and a box of half-width σu (El Ghaoui et al. §4;
 * docs/MATHS.md §5).
 *
 * @param sensitivity S = |C|(I − |A|)⁻¹|B| + |D|
 * @param sigmaMax the largest σu_j
 * @param lipschitzInf ‖S‖∞, the ‖·‖∞ → ‖·‖∞ Lipschitz constant S certifies
 * @param normInfBound ‖S‖∞·σmax ≥ ‖ŷ(u) − ŷ(u₀)‖∞ over the box
 * @param k the budget of changed inputs, or null
 * @param sparseBound with k: max_i Σ of the k largest S_ij σ_j ≥ ‖ŷ(u) − ŷ(u₀)‖∞ when at most k inputs change
 * @param samples one certificate per input row (empty without inputs)
 * @param millis time to compute S and the certificates
 */
public record RobustnessReport(SensitivityMatrix sensitivity, double sigmaMax, double lipschitzInf,
    double normInfBound, Integer k, Double sparseBound, List<Certificate> samples, long millis) {

  /** The fraction of the inputs certified (NaN without inputs). */
  public double certifiedFraction() {
    return samples.isEmpty() ? Double.NaN
        : (double) samples.stream().filter(Certificate::certified).count() / samples.size();
  }

  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "sensitivity S       %d x %d, \u2016S\u2016\u221e = %.6g (Lipschitz constant, "
        + "\u221e-norm)%n", sensitivity.q(), sensitivity.p(), lipschitzInf));
    sb.append(String.format(Locale.ROOT, "output bound        \u2016\u0177(u) \u2212 \u0177(u\u2080)\u2016\u221e \u2264 %.6g "
        + "for |u \u2212 u\u2080| \u2264 %.4g%n", normInfBound, sigmaMax));
    if (k != null) {
      sb.append(String.format(Locale.ROOT, "k-sparse bound      \u2264 %.6g when at most %d inputs change%n",
          sparseBound, k));
    }
    for (Certificate c : samples) {
      sb.append(String.format(Locale.ROOT, "sample %-5d predicted %-3d %s", c.sample(), c.predicted(),
          c.certified() ? "certified" : "not certified"));
      double worst = Double.POSITIVE_INFINITY;
      for (double v : c.marginLowerBound()) {
        if (!Double.isNaN(v)) {
          worst = Math.min(worst, v);
        }
      }
      sb.append(String.format(Locale.ROOT, " (smallest margin bound %.4g)", worst));
      for (Certificate.LpBound b : c.lp()) {
        sb.append(String.format(Locale.ROOT, "; t=%d lp %.4g", b.target(), b.lpBound()));
      }
      sb.append(System.lineSeparator());
    }
    if (!samples.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "certified           %d/%d (%.4f) at \u03c3 = %.4g%n",
          samples.stream().filter(Certificate::certified).count(), samples.size(), certifiedFraction(), sigmaMax));
    }
    return sb.toString();
  }

  /** One JSON object; S itself only when {@code withSensitivity}. */
  public String json(boolean withSensitivity) {
    JsonObject o = new JsonObject();
    o.addProperty("q", sensitivity.q());
    o.addProperty("p", sensitivity.p());
    o.addProperty("sigma", sigmaMax);
    o.addProperty("lipschitzInf", lipschitzInf);
    o.addProperty("normInfBound", normInfBound);
    if (k != null) {
      o.addProperty("k", k);
      o.addProperty("sparseBound", sparseBound);
    }
    if (withSensitivity) {
      JsonArray s = new JsonArray();
      for (int i = 0; i < sensitivity.q(); i++) {
        JsonArray row = new JsonArray();
        for (double v : sensitivity.row(i)) {
          row.add(v);
        }
        s.add(row);
      }
      o.add("sensitivity", s);
    }
    JsonArray arr = new JsonArray();
    samples.forEach(c -> arr.add(sampleJson(c)));
    o.add("samples", arr);
    if (!samples.isEmpty()) {
      o.addProperty("certifiedFraction", certifiedFraction());
    }
    o.addProperty("millis", millis);
    return new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o);
  }

  private static JsonObject sampleJson(Certificate c) {
    JsonObject j = new JsonObject();
    j.addProperty("sample", c.sample());
    j.addProperty("predicted", c.predicted());
    j.addProperty("certified", c.certified());
    JsonArray m = new JsonArray();
    for (double v : c.marginLowerBound()) {
      m.add(Double.isNaN(v) ? null : v);
    }
    j.add("marginLowerBound", m);
    if (!c.lp().isEmpty()) {
      JsonArray t = new JsonArray();
      for (Certificate.LpBound b : c.lp()) {
        JsonObject e = new JsonObject();
        e.addProperty("target", b.target());
        e.addProperty("nominalMargin", b.nominalMargin());
        e.addProperty("lpBound", b.lpBound());
        e.addProperty("status", b.status());
        t.add(e);
      }
      j.add("targets", t);
    }
    return j;
  }
}
