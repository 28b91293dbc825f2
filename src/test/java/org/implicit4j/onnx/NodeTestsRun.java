package org.implicit4j.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The ONNX backend's node tests (onnx/backend/test/data/node of a release, extracted by
 * scripts/onnx-node-tests.sh) for every op the registry supports: each is imported and solved on its
 * stored inputs, and the outputs are compared with the stored ones (atol 1e-5, rtol 1e-4). Inputs the
 * importer needs constant (weights, shapes) are bound to their stored values. Runs only when
 * {@code -Donnx.node.dir=DIR} is given; writes the per-test table to target/onnx-node-tests.md and
 * fails if a test whose import succeeded disagrees (a refusal is a listed outcome, not a failure).
 */
class NodeTestsRun {
  /** Outcome of one node test. */
  enum Outcome { VERIFIED, REFUSED, MISMATCH }

  record Result(String test, String ops, Outcome outcome, String detail) {}

  @Test
  void nodeTestsOfSupportedOps() throws IOException {
    String dir = System.getProperty("onnx.node.dir");
    Assumptions.assumeTrue(dir != null, "set -Donnx.node.dir to the extracted onnx/backend/test/data/node");
    Set<String> supported = new TreeSet<>(ConverterRegistry.entries().keySet());
    List<Result> results = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of(dir))) {
      for (Path t : s.sorted().toList()) {
        OnnxMl.ModelProto proto = OnnxImporter.read(t.resolve("model.onnx"));
        Set<String> ops = new TreeSet<>();
        proto.getGraph().getNodeList().forEach(n -> ops.add(n.getOpType()));
        if (supported.containsAll(ops)) {
          results.add(run(t, proto, String.join(" ", ops)));
        }
      }
    }
    write(results);
    long bad = results.stream().filter(r -> r.outcome() == Outcome.MISMATCH).count();
    assertTrue(bad == 0, bad + " node tests disagree; see target/onnx-node-tests.md");
  }

  private static Result run(Path t, OnnxMl.ModelProto proto, String ops) {
    String name = t.getFileName().toString();
    ImportException last = null;
    for (boolean bindAll : new boolean[] {false, true}) {
      try {
        return check(t, proto, ops, bindAll);
      } catch (ImportException e) {
        last = e; // the weights-bound attempt's refusal is the one that names the real obstacle
      } catch (IOException | RuntimeException e) {
        return new Result(name, ops, Outcome.MISMATCH, e.toString());
      }
    }
    return new Result(name, ops, Outcome.REFUSED, last.getMessage().replaceAll("\\s+", " "));
  }

  /** Imports with integer inputs (or, when {@code bindAll}, all but the first) bound, then compares. */
  private static Result check(Path t, OnnxMl.ModelProto proto, String ops, boolean bindAll) throws IOException {
    Path set = t.resolve("test_data_set_0");
    List<OnnxMl.ValueInfoProto> inputs = proto.getGraph().getInputList();
    Map<String, Tensor> bound = new HashMap<>();
    List<Double> u = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      int type = inputs.get(i).getType().getTensorType().getElemType();
      Tensor v = bfloat16Bits(SharedModelsTest.readPb(set.resolve("input_" + i + ".pb")), type);
      if (type != 1 && type != 10 && type != 11 && type != 16 || bindAll && i > 0) {
        bound.put(inputs.get(i).getName(), v);
      } else {
        for (double d : v.data()) {
          u.add(d);
        }
      }
    }
    ImportResult r = OnnxImporter.importModel(proto, t.toString(), t,
        ImportOptions.defaults().withBoundInputs(bound).withTrailingSoftmax(true));
    ImplicitModel m = r.model();
    double[] y = Solvers.solve(m, u.stream().mapToDouble(Double::doubleValue).toArray(), 1).outputs();
    int at = 0;
    double worst = 0;
    for (int k = 0; k < proto.getGraph().getOutputCount(); k++) {
      // A Cast to float16/bfloat16 is imported as the identity: compare within that type's rounding.
      int type = proto.getGraph().getOutput(k).getType().getTensorType().getElemType();
      double[] want = bfloat16Bits(SharedModelsTest.readPb(set.resolve("output_" + k + ".pb")), type).data();
      double rtol = type == 10 ? 1e-3 : type == 16 ? 8e-3 : 1e-4;
      for (int i = 0; i < want.length; i++, at++) {
        double err = Math.abs(y[at] - want[i]);
        worst = Double.isFinite(err) ? Math.max(worst, err) : worst;
        boolean same = Double.compare(y[at], want[i]) == 0; // NaN and ±∞ agree with themselves
        if (!same && !(err <= 1e-5 + rtol * Math.abs(want[i]))) {
          return new Result(t.getFileName().toString(), ops, Outcome.MISMATCH, "output " + k + "[" + i + "] = " + y[at]
              + ", expected " + want[i]);
        }
      }
    }
    String how = bindAll ? "weights bound; " : "";
    return new Result(t.getFileName().toString(), ops, Outcome.VERIFIED, how + "n=" + m.n() + ", max abs error "
        + String.format("%.1e", worst));
  }

  /** The node tests store bfloat16 values as uint16 bit patterns; read them as the declared bfloat16. */
  private static Tensor bfloat16Bits(Tensor t, int declared) {
    if (declared != 16 || !t.integer()) {
      return t;
    }
    double[] v = t.data().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.intBitsToFloat((int) v[i] << 16);
    }
    return new Tensor(t.shape(), v, false);
  }

  private static void write(List<Result> results) throws IOException {
    Map<Outcome, Integer> counts = new TreeMap<>();
    StringBuilder sb = new StringBuilder("| test | ops | outcome | detail |\n|---|---|---|---|\n");
    for (Result r : results) {
      counts.merge(r.outcome(), 1, Integer::sum);
      sb.append("| ").append(r.test()).append(" | ").append(r.ops()).append(" | ").append(r.outcome()).append(" | ")
          .append(r.detail().replace("|", "\\|")).append(" |\n");
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "onnx-node-tests.md"), counts + "\n\n" + sb);
    System.out.println("ONNX node tests of supported ops: " + counts + " (table in target/onnx-node-tests.md)");
  }
}
