package org.implicit4j.api;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.implicit4j.model.Provenance;
import org.implicit4j.model.Shape;
import org.implicit4j.report.RescaleReport;
import org.implicit4j.report.SolvePlanSummary;
import org.implicit4j.report.WellPosedness;

/**
 * What `info` shows, computed once and printed as text or JSON from the same values: sizes, shapes,
 * state blocks, matrix blocks with their nnz, the well-posedness verdict, what rescaling to
 * κ = {@link Defaults#KAPPA} would reach, how back-substitution runs it (its solve plan), and the
 * model's provenance.
 */
public record ModelDescription(int n, int p, int q, Shape inputShape, Shape outputShape, long storedValues,
    WellPosedness wellPosedness, List<State> states, List<Block> blocks, Provenance provenance,
    RescalePreview rescaled, SolvePlanSummary plan) {

  /** One state block. */
  /**
   * One state block. {@code product}: a block of products φa(a) ⊙ φb(b) (gates, attention,
   * squares); {@code nonExpansive}: whether its activation is componentwise non-expansive, which the
   * λpf(|A|) &lt; 1 test and the robustness bounds need.
   */
  public record State(String name, int size, String activation, Shape shape, boolean product, boolean nonExpansive) {
    String flags() {
      return (product ? "product, " : "") + (nonExpansive ? "non-expansive" : "expansive");
    }
  }

  /** One stored block of A, B, C or D. */
  public record Block(String matrix, int row, int col, String kind, int rows, int cols, long nnz) {}

  /** Rescaling to κ: the report when possible, else the reason. */
  public record RescalePreview(double kappa, RescaleReport report, String reason) {
    public boolean possible() {
      return report != null;
    }
  }

  /** Structurally non-zero entries of A, B, C and D together. */
  public long nnz() {
    return blocks.stream().mapToLong(Block::nnz).sum();
  }

  /** The text `info` prints, under the label {@code model}. */
  public String text(String model) {
    StringBuilder sb = new StringBuilder();
    line(sb, "model            %s", model);
    line(sb, "n, p, q          %d, %d, %d", n, p, q);
    line(sb, "shapes           input %s, output %s", inputShape, outputShape);
    line(sb, "state blocks     %d (listed last layer first)", states.size());
    for (State s : states) {
      line(sb, "  %-24s %8d  %-18s %-12s %s", s.name(), s.size(), s.activation(), s.shape(), s.flags());
    }
    Map<String, Long> perMatrix = new TreeMap<>();
    blocks.forEach(b -> perMatrix.merge(b.matrix(), b.nnz(), Long::sum));
    line(sb, "nnz              %d (A %d, B %d, C %d, D %d); stored values %d", nnz(), perMatrix.getOrDefault("A", 0L),
        perMatrix.getOrDefault("B", 0L), perMatrix.getOrDefault("C", 0L), perMatrix.getOrDefault("D", 0L),
        storedValues);
    for (Block b : blocks) {
      line(sb, "  %s(%d,%d) %-28s %6d x %-6d nnz %d", b.matrix(), b.row(), b.col(), b.kind(), b.rows(), b.cols(),
          b.nnz());
    }
    WellPosedness w = wellPosedness;
    line(sb, "\u2016A\u2016\u221e             %.6g", w.normInf());
    line(sb, "\u03bbpf(|A|)         %.6g%s", w.lambdaPf(),
        w.strictlyUpperTriangular() ? " (exact: strictly upper triangular)" : "");
    line(sb, "triangular       %s", w.strictlyUpperTriangular() ? "strictly upper" : "no");
    line(sb, "verdict          %s", w.verdict());
    line(sb, "solve plan       %s", plan);
    line(sb, "rescaled         %s", rescaled.possible() ? rescaled.report().toString()
        : "not possible: " + rescaled.reason());
    provenance.toMap().forEach((k, v) -> line(sb, "meta %-11s %s", k, v));
    return sb.toString();
  }

  private static void line(StringBuilder sb, String format, Object... args) {
    sb.append(String.format(Locale.ROOT, format, args)).append(System.lineSeparator());
  }

  /** One JSON object (keys n, p, q, inputShape, outputShape, nnz, normInf, lambdaPf, …). */
  public String json() {
    JsonObject o = new JsonObject();
    o.addProperty("n", n);
    o.addProperty("p", p);
    o.addProperty("q", q);
    o.add("inputShape", ints(inputShape.dims()));
    o.add("outputShape", ints(outputShape.dims()));
    o.addProperty("storedValues", storedValues);
    o.addProperty("normInf", wellPosedness.normInf());
    o.addProperty("lambdaPf", wellPosedness.lambdaPf());
    o.addProperty("strictlyUpperTriangular", wellPosedness.strictlyUpperTriangular());
    o.addProperty("nonExpansive", wellPosedness.nonExpansive());
    o.addProperty("wellPosed", wellPosedness.wellPosed());
    o.addProperty("verdict", wellPosedness.verdict());
    o.add("states", statesJson());
    o.addProperty("nnz", nnz());
    o.add("blocks", blocksJson());
    JsonObject meta = new JsonObject();
    provenance.toMap().forEach(meta::addProperty);
    o.add("metadata", meta);
    o.add("rescaled", rescaledJson());
    o.add("solvePlan", planJson());
    return new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o);
  }

  private JsonArray statesJson() {
    JsonArray arr = new JsonArray();
    for (State s : states) {
      JsonObject j = new JsonObject();
      j.addProperty("name", s.name());
      j.addProperty("size", s.size());
      j.addProperty("activation", s.activation());
      j.add("shape", ints(s.shape().dims()));
      j.addProperty("product", s.product());
      j.addProperty("nonExpansive", s.nonExpansive());
      arr.add(j);
    }
    return arr;
  }

  private JsonArray blocksJson() {
    JsonArray arr = new JsonArray();
    for (Block b : blocks) {
      JsonObject j = new JsonObject();
      j.addProperty("matrix", b.matrix());
      j.addProperty("row", b.row());
      j.addProperty("col", b.col());
      j.addProperty("kind", b.kind());
      j.addProperty("rows", b.rows());
      j.addProperty("cols", b.cols());
      j.addProperty("nnz", b.nnz());
      arr.add(j);
    }
    return arr;
  }

  private JsonObject rescaledJson() {
    JsonObject r = new JsonObject();
    r.addProperty("kappa", rescaled.kappa());
    r.addProperty("possible", rescaled.possible());
    if (rescaled.possible()) {
      r.addProperty("normInf", rescaled.report().normAfter());
      r.addProperty("method", rescaled.report().methodText());
      r.addProperty("summary", rescaled.report().toString());
    } else {
      r.addProperty("reason", rescaled.reason());
    }
    return r;
  }

  private JsonObject planJson() {
    JsonObject j = new JsonObject();
    j.addProperty("backSubstitution", plan.triangular());
    j.addProperty("steps", plan.steps());
    JsonArray kernels = new JsonArray();
    for (SolvePlanSummary.PoolingKernel k : plan.kernels()) {
      JsonObject o = new JsonObject();
      o.addProperty("firstBlock", k.firstBlock());
      o.addProperty("lastBlock", k.lastBlock());
      o.addProperty("rows", k.rows());
      kernels.add(o);
    }
    j.add("poolingKernels", kernels);
    return j;
  }

  private static JsonArray ints(int[] a) {
    JsonArray j = new JsonArray();
    for (int v : a) {
      j.add(v);
    }
    return j;
  }
}
