package org.implicit4j.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The nodes a graph's outputs need, in dependency order (Kahn's algorithm); refuses cycles and missing tensors. */
final class GraphOrder {
  private final OnnxMl.GraphProto g;
  private final String source;
  private final Map<String, Integer> producer = new HashMap<>();

  private GraphOrder(OnnxMl.GraphProto g, String source) {
    this.g = g;
    this.source = source;
    for (int i = 0; i < g.getNodeCount(); i++) {
      for (String o : g.getNode(i).getOutputList()) {
        if (!o.isEmpty()) {
          producer.put(o, i);
        }
      }
    }
  }

  /** Nodes needed for {@code outputs}, each after the nodes producing its inputs. */
  static List<OnnxMl.NodeProto> of(OnnxMl.GraphProto g, String source, List<String> outputs, LowerContext cx) {
    GraphOrder o = new GraphOrder(g, source);
    return o.sort(o.needed(outputs, cx));
  }

  /** Marks the nodes reachable backwards from the outputs; a tensor nobody produces must be bound already. */
  private boolean[] needed(List<String> outputs, LowerContext cx) {
    boolean[] needed = new boolean[g.getNodeCount()];
    Deque<String> work = new ArrayDeque<>(outputs);
    while (!work.isEmpty()) {
      String t = work.pop();
      Integer i = producer.get(t);
      if (i == null) {
        if (!cx.has(t)) {
          throw new ImportException(source + ": tensor '" + t + "' is missing: no initializer, graph input or node produces it");
        }
        continue;
      }
      if (!needed[i]) {
        needed[i] = true;
        for (String in : g.getNode(i).getInputList()) {
          if (!in.isEmpty()) {
            work.push(in);
          }
        }
      }
    }
    return needed;
  }

  private List<OnnxMl.NodeProto> sort(boolean[] needed) {
    int[] pending = new int[g.getNodeCount()];
    Map<Integer, List<Integer>> users = new HashMap<>();
    Deque<Integer> ready = new ArrayDeque<>();
    int count = 0;
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (!needed[i]) {
        continue;
      }
      count++;
      for (String in : g.getNode(i).getInputList()) {
        Integer pi = in.isEmpty() ? null : producer.get(in);
        if (pi != null) {
          pending[i]++;
          users.computeIfAbsent(pi, k -> new ArrayList<>()).add(i);
        }
      }
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<OnnxMl.NodeProto> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(g.getNode(i));
      for (int u : users.getOrDefault(i, List.of())) {
        if (--pending[u] == 0) {
          ready.add(u);
        }
      }
    }
    if (order.size() != count) {
      throw cycle(needed, pending);
    }
    return order;
  }

  private ImportException cycle(boolean[] needed, int[] pending) {
    List<String> cyc = new ArrayList<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (needed[i] && pending[i] > 0) {
        OnnxMl.NodeProto n = g.getNode(i);
        cyc.add("'" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "' (" + n.getOpType() + ")");
      }
    }
    return new ImportException(source + ": the graph has a cycle through nodes " + String.join(", ", cyc)
        + "; ONNX graphs must be acyclic (loops need the Loop op, which is not supported)");
  }
}
