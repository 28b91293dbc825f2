package org.implicit4j.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ONNX Runtime's time per node on one core, read from its profiler (one JSON event a node and run,
 * "dur" in µs), and attributed to implicit4j's layers: a node's time goes to the first state block
 * its output reaches along the graph (ORT fuses a Conv with its Relu into one node, whose output is
 * the Relu's, which is the state block's name), or to {@link #OUTPUT} when it reaches a graph
 * output first. Nodes that reach neither, such as ORT's layout reorders, are summed as {@link #OTHER}.
 */
final class OrtLayers {
  static final String OTHER = "(ORT nodes of no layer)";
  /** The layer of the nodes that reach a graph output before a state block: ŷ = Cx. */
  static final String OUTPUT = "output C x";
  private static final int RUNS = 30;
  private static final String FUSED = "fused ";
  private static final Pattern NODE = Pattern.compile("\"cat\" *: *\"Node\".*?\"dur\" *: *(\\d+).*?\"name\" *: *\"([^\"]+)"
      + "_kernel_time\"");

  private OrtLayers() {}

  /**
   * µs a sample by state block name (and {@link #OTHER}), each node's best of {@link #RUNS} runs of
   * the batch; empty when the graph does not take the batch (a Reshape to a fixed batch of 1).
   */
  static Map<String, Double> perLayer(Path onnx, int batch, Set<String> states) throws IOException, OrtException {
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
    Map<String, Long> best = profile(Networks.batchable(proto), batch);
    Map<String, String> layers = new HashMap<>();
    states.forEach(s -> layers.put(s, s));
    proto.getGraph().getOutputList().forEach(v -> layers.put(v.getName(), OUTPUT));
    Map<String, Double> out = new LinkedHashMap<>();
    Graph g = new Graph(proto.getGraph());
    best.forEach((node, us) -> out.merge(g.layerOf(node, layers), (double) us / batch, Double::sum));
    return out;
  }

  /** Best µs of each node over the runs; empty when ORT refuses the batch. The profile is removed after. */
  private static Map<String, Long> profile(OnnxMl.ModelProto proto, int batch) throws IOException, OrtException {
    Path dir = Files.createTempDirectory("ort-profile");
    try {
      return profile(proto, batch, dir);
    } finally {
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static Map<String, Long> profile(OnnxMl.ModelProto proto, int batch, Path dir)
      throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.enableProfiling(dir.resolve("profile").toString());
      try (OrtSession session = env.createSession(proto.toByteArray(), so)) {
        String in = session.getInputNames().iterator().next();
        long[] shape = ((TensorInfo) session.getInputInfo().get(in).getInfo()).getShape();
        shape[0] = batch;
        long size = 1;
        for (long d : shape) {
          size *= d;
        }
        float[] f = new float[Math.toIntExact(size)];
        Random r = new Random(1);
        for (int i = 0; i < f.length; i++) {
          f[i] = r.nextFloat();
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), shape)) {
          for (int run = 0; run < RUNS; run++) {
            session.run(Map.of(in, t)).close();
          }
        } catch (OrtException e) {
          return Map.of(); // the graph fixes the batch
        }
        return bestPerNode(Path.of(session.endProfiling()));
      }
    }
  }

  private static Map<String, Long> bestPerNode(Path json) throws IOException {
    Map<String, Long> best = new LinkedHashMap<>();
    for (String line : Files.readAllLines(json)) {
      Matcher m = NODE.matcher(line);
      if (m.find()) {
        best.merge(m.group(2), Long.parseLong(m.group(1)), Math::min);
      }
    }
    return best;
  }

  /** The ONNX graph's producers and consumers, to walk from an ORT node to a layer. */
  private static final class Graph {
    private final Map<String, List<String>> outputsOfNode = new HashMap<>();
    private final Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();

    Graph(OnnxMl.GraphProto g) {
      for (OnnxMl.NodeProto n : g.getNodeList()) {
        outputsOfNode.put(n.getName(), n.getOutputList());
        for (String v : n.getInputList()) {
          consumers.computeIfAbsent(v, k -> new java.util.ArrayList<>()).add(n);
        }
      }
    }

    /**
     * The first state block reached from ORT's node {@code name}: a node of the graph by that name, or
     * the value it is named after (ORT names a rewritten node after its output, e.g. "18_nchwc"),
     * trying the name without its "_suffix" parts in turn, and without the "fused " ORT puts before
     * a node it fused with the next (a Gemm with its Relu: "fused Gemm_14").
     */
    String layerOf(String name, Map<String, String> layers) {
      String own = name.startsWith(FUSED) ? name.substring(FUSED.length()) : name;
      for (String n = own; !n.isEmpty(); n = n.contains("_") ? n.substring(0, n.lastIndexOf('_')) : "") {
        List<String> start = outputsOfNode.containsKey(n) ? outputsOfNode.get(n) : consumers.containsKey(n)
            || layers.containsKey(n) ? List.of(n) : List.of();
        String layer = firstLayer(start, layers);
        if (layer != null) {
          return layer;
        }
      }
      return OTHER;
    }

    private String firstLayer(List<String> from, Map<String, String> layers) {
      ArrayDeque<String> queue = new ArrayDeque<>(from);
      Set<String> seen = new HashSet<>(from);
      while (!queue.isEmpty()) {
        String v = queue.poll();
        if (layers.containsKey(v)) {
          return layers.get(v);
        }
        for (OnnxMl.NodeProto n : consumers.getOrDefault(v, List.of())) {
          for (String o : n.getOutputList()) {
            if (seen.add(o)) {
              queue.add(o);
            }
          }
        }
      }
      return null;
    }
  }
}
