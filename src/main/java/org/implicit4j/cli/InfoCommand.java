package org.implicit4j.cli;

import org.implicit4j.report.RescaleReport;

import org.implicit4j.analysis.WellPosednessAnalysis;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.WellPosedness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `info MODEL`: sizes, shapes, blocks, norms and the well-posedness verdict. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Describe a model: n, p, q, shapes, state and matrix blocks, nnz, \u2016A\u2016\u221e, "
        + "\u03bbpf(|A|), triangularity and the well-posedness verdict.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model file or an .onnx network.")
  Path model;

  @Option(names = "--json", description = "Print one JSON object (keys n, p, q, inputShape, outputShape, nnz, "
      + "normInf, lambdaPf, strictlyUpperTriangular, wellPosed, verdict, states, blocks).")
  boolean json;

  @picocli.CommandLine.Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImplicitModel m = ModelSource.load(model, ModelSource.options(onnxOptions.inputShapes));
    WellPosedness w = WellPosednessAnalysis.of(m);
    JsonObject o = describe(m, w);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o));
    } else {
      out.printf(Locale.ROOT, "model            %s%n", model);
      out.printf(Locale.ROOT, "n, p, q          %d, %d, %d%n", m.n(), m.p(), m.q());
      out.printf(Locale.ROOT, "shapes           input %s, output %s%n", m.inputShape(), m.outputShape());
      out.printf(Locale.ROOT, "state blocks     %d (listed last layer first)%n", m.states().size());
      for (StateBlock s : m.states()) {
        out.printf(Locale.ROOT, "  %-24s %8d  %-18s %s%n", s.name(), s.size(), s.activation().spec(), s.shape());
      }
      // nnz can mean forming a product of blocks: the text reuses the counts of the description.
      java.util.Map<String, Long> perMatrix = new java.util.TreeMap<>();
      for (com.google.gson.JsonElement e : o.getAsJsonArray("blocks")) {
        perMatrix.merge(e.getAsJsonObject().get("matrix").getAsString(), e.getAsJsonObject().get("nnz").getAsLong(),
            Long::sum);
      }
      out.printf(Locale.ROOT, "nnz              %d (A %d, B %d, C %d, D %d); stored values %d%n",
          o.get("nnz").getAsLong(), perMatrix.getOrDefault("A", 0L), perMatrix.getOrDefault("B", 0L),
          perMatrix.getOrDefault("C", 0L), perMatrix.getOrDefault("D", 0L), o.get("storedValues").getAsLong());
      for (com.google.gson.JsonElement e : o.getAsJsonArray("blocks")) {
        JsonObject b = e.getAsJsonObject();
        out.printf(Locale.ROOT, "  %s(%d,%d) %-28s %6d x %-6d nnz %d%n", b.get("matrix").getAsString(),
            b.get("row").getAsInt(), b.get("col").getAsInt(), b.get("kind").getAsString(), b.get("rows").getAsInt(),
            b.get("cols").getAsInt(), b.get("nnz").getAsLong());
      }
      out.printf(Locale.ROOT, "\u2016A\u2016\u221e             %.6g%n", w.normInf());
      out.printf(Locale.ROOT, "\u03bbpf(|A|)         %.6g%s%n", w.lambdaPf(),
          w.strictlyUpperTriangular() ? " (exact: strictly upper triangular)" : "");
      out.printf(Locale.ROOT, "triangular       %s%n", w.strictlyUpperTriangular() ? "strictly upper" : "no");
      out.printf(Locale.ROOT, "verdict          %s%n", w.verdict());
      JsonObject r = o.getAsJsonObject("rescaled");
      out.printf(Locale.ROOT, "rescaled         %s%n", r.get("possible").getAsBoolean()
          ? r.get("summary").getAsString() : "not possible: " + r.get("reason").getAsString());
      m.metadata().forEach((k, v) -> out.printf(Locale.ROOT, "meta %-11s %s%n", k, v));
    }
    return ExitCodes.OK;
  }

  static JsonObject describe(ImplicitModel m, WellPosedness w) {
    JsonObject o = new JsonObject();
    o.addProperty("n", m.n());
    o.addProperty("p", m.p());
    o.addProperty("q", m.q());
    o.add("inputShape", ints(m.inputShape().dims()));
    o.add("outputShape", ints(m.outputShape().dims()));
    o.addProperty("storedValues", m.storedValues());
    o.addProperty("normInf", w.normInf());
    o.addProperty("lambdaPf", w.lambdaPf());
    o.addProperty("strictlyUpperTriangular", w.strictlyUpperTriangular());
    o.addProperty("nonExpansive", w.nonExpansive());
    o.addProperty("wellPosed", w.wellPosed());
    o.addProperty("verdict", w.verdict());
    JsonArray states = new JsonArray();
    for (StateBlock s : m.states()) {
      JsonObject j = new JsonObject();
      j.addProperty("name", s.name());
      j.addProperty("size", s.size());
      j.addProperty("activation", s.activation().spec());
      j.add("shape", ints(s.shape().dims()));
      states.add(j);
    }
    o.add("states", states);
    JsonArray blocks = new JsonArray();
    addBlocks(blocks, "A", m.a());
    addBlocks(blocks, "B", m.b());
    addBlocks(blocks, "C", m.c());
    addBlocks(blocks, "D", m.d());
    long nnz = 0;
    for (com.google.gson.JsonElement e : blocks) {
      nnz += e.getAsJsonObject().get("nnz").getAsLong();
    }
    o.addProperty("nnz", nnz);
    o.add("blocks", blocks);
    JsonObject meta = new JsonObject();
    m.metadata().forEach(meta::addProperty);
    o.add("metadata", meta);
    o.add("rescaled", rescaled(m));
    return o;
  }

  /** What `rescale --kappa 0.95` would reach, or why it cannot. */
  static JsonObject rescaled(ImplicitModel m) {
    JsonObject r = new JsonObject();
    r.addProperty("kappa", 0.95);
    try {
      RescaleReport rep = org.implicit4j.analysis.Rescaler.rescale(m, 0.95).report();
      r.addProperty("possible", true);
      r.addProperty("normInf", rep.normAfter());
      r.addProperty("method", rep.methodText());
      r.addProperty("summary", rep.toString());
    } catch (org.implicit4j.analysis.RescaleException e) {
      r.addProperty("possible", false);
      r.addProperty("reason", e.getMessage());
    }
    return r;
  }

  private static void addBlocks(JsonArray arr, String name, BlockMatrix bm) {
    for (BlockMatrix.Block b : bm.blocks()) {
      JsonObject j = new JsonObject();
      j.addProperty("matrix", name);
      j.addProperty("row", b.row());
      j.addProperty("col", b.col());
      j.addProperty("kind", b.op().kind());
      j.addProperty("rows", b.op().rows());
      j.addProperty("cols", b.op().cols());
      j.addProperty("nnz", b.op().nnz());
      arr.add(j);
    }
  }

  private static JsonArray ints(int[] a) {
    JsonArray j = new JsonArray();
    for (int v : a) {
      j.add(v);
    }
    return j;
  }
}
