package org.implicit4j.onnx;

import org.implicit4j.linalg.CsrMatrix;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Shape;

/**
 * Imports an ONNX network as an implicit model with strictly upper-triangular A: every nonlinear
 * activation output becomes a state block, every linear op folds into the affine maps between
 * them, and the blocks are ordered last layer first (docs/MATHS.md §1).
 */
public final class OnnxImporter {
  private OnnxImporter() {}

  /** Reads and parses a model file. */
  public static OnnxMl.ModelProto read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ImportException(file + ": no such file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream cis = CodedInputStream.newInstance(in);
      cis.setSizeLimit(Integer.MAX_VALUE);
      return OnnxMl.ModelProto.parseFrom(cis);
    } catch (InvalidProtocolBufferException e) {
      throw new ImportException(file + ": not an ONNX model (protobuf parse failed: " + e.getMessage() + ")", e);
    }
  }

  public static ImportResult importFile(Path file, ImportOptions options) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    return importModel(read(file), file.toString(), dir, options);
  }

  public static ImportResult importModel(OnnxMl.ModelProto proto, String source, Path modelDir, ImportOptions options)
      throws IOException {
    int opset = -1;
    for (OnnxMl.OperatorSetIdProto o : proto.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = (int) o.getVersion();
      }
    }
    if (opset < 0) {
      opset = proto.getIrVersion() <= 3 ? 1 : -1;
      if (opset < 0) {
        throw new ImportException(source + ": no opset import for the default ONNX domain");
      }
    }
    OnnxMl.GraphProto g = proto.getGraph();
    LowerContext cx = new LowerContext(source, modelDir, options.maxStates());
    Set<String> initNames = new HashSet<>();
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      String what = source + ": initializer '" + t.getName() + "'";
      Tensor v = OnnxTensors.decode(t, modelDir, what);
      for (int i = 0; i < v.data().length; i++) {
        if (!Double.isFinite(v.data()[i])) {
          throw new ImportException(what + " holds " + v.data()[i] + " at element " + i
              + "; the network's weights are corrupt (NaN/Inf)");
        }
      }
      cx.bind(t.getName(), Affine.constant(v));
      initNames.add(t.getName());
    }
    List<ImportResult.GraphInput> inputs = new ArrayList<>();
    Map<String, Tensor> bound = new LinkedHashMap<>();
    for (OnnxMl.ValueInfoProto vi : g.getInputList()) {
      if (initNames.contains(vi.getName())) {
        continue;
      }
      if (options.boundInputs().containsKey(vi.getName())) {
        Tensor t = options.boundInputs().get(vi.getName());
        cx.bind(vi.getName(), Affine.constant(t));
        bound.put(vi.getName(), t);
        continue;
      }
      inputs.add(new ImportResult.GraphInput(vi.getName(), inputShape(vi, options, source, g.getInputCount()),
          vi.getType().getTensorType().getElemType()));
    }
    if (inputs.isEmpty()) {
      throw new ImportException(source + ": the graph has no non-constant input");
    }
    long p = 0;
    for (ImportResult.GraphInput in : inputs) {
      p += Arrays.stream(in.shape()).asLongStream().reduce(1, (a, b) -> a * b);
    }
    if (p > OnnxTensors.MAX_TENSOR_VALUES) {
      throw new ImportException(source + ": inputs declare " + p + " values; too large to hold");
    }
    int off = 0;
    for (ImportResult.GraphInput in : inputs) {
      int size = Tensor.sizeOf(in.shape());
      LinearOperator sel;
      if (inputs.size() == 1) {
        sel = DiagonalMatrix.identity(size);
      } else {
        int[] src = new int[size];
        for (int i = 0; i < size; i++) {
          src[i] = off + i;
        }
        sel = CsrMatrix.selection(src, (int) p);
      }
      cx.bind(in.name(), new Affine(in.shape(), Map.of(Affine.INPUT, sel), new double[size], false));
      off += size;
    }

    List<String> outputs = new ArrayList<>();
    for (OnnxMl.ValueInfoProto vi : g.getOutputList()) {
      outputs.add(vi.getName());
    }
    List<OnnxMl.NodeProto> order = topologicalOrder(g, source, outputs, cx);
    String dropped = null;
    Map<String, String> renamed = new HashMap<>();
    for (OnnxMl.NodeProto node : order) {
      OnnxNodeView view = new OnnxNodeView(node, opset, cx);
      if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
        throw view.error("op domain '" + node.getDomain() + "' is not supported; only the default ONNX domain is");
      }
      String op = node.getOpType();
      if ((op.equals("Softmax") || op.equals("LogSoftmax")) && outputs.contains(node.getOutput(0))) {
        // A trailing (Log)Softmax is monotone: left out of ŷ, which then holds the logits.
        cx.bind(node.getOutput(0), view.input(0));
        renamed.put(node.getOutput(0), node.getInput(0));
        dropped = op;
        continue;
      }
      List<Affine> out = ConverterRegistry.lookup(view).lower(view);
      for (int i = 0; i < out.size() && i < node.getOutputCount(); i++) {
        if (!node.getOutput(i).isEmpty()) {
          cx.bind(node.getOutput(i), out.get(i));
        }
      }
    }
    List<String> reproduced = new ArrayList<>();
    List<Affine> outValues = new ArrayList<>();
    for (String o : outputs) {
      if (!cx.has(o)) {
        throw new ImportException(source + ": graph output '" + o + "' is produced by no node");
      }
      outValues.add(cx.value(o, null));
      reproduced.add(renamed.getOrDefault(o, o));
    }
    return assemble(cx, inputs, (int) p, outValues, reproduced, dropped, bound, opset, source, proto);
  }

  private static int[] inputShape(OnnxMl.ValueInfoProto vi, ImportOptions options, String source, int inputCount) {
    int[] given = options.inputShapes().get(vi.getName());
    if (given == null && inputCount >= 1) {
      given = options.inputShapes().get("");
    }
    OnnxMl.TensorShapeProto sp = vi.getType().getTensorType().getShape();
    int rank = sp.getDimCount();
    if (given != null) {
      if (given.length == rank) {
        return given.clone();
      }
      if (given.length == rank - 1) {
        int[] s = new int[rank];
        s[0] = 1;
        System.arraycopy(given, 0, s, 1, given.length);
        return s;
      }
      throw new ImportException(source + ": --input-shape " + Arrays.toString(given) + " for input '" + vi.getName()
          + "' does not fit its rank " + rank);
    }
    int[] s = new int[rank];
    for (int d = 0; d < rank; d++) {
      OnnxMl.TensorShapeProto.Dimension dim = sp.getDim(d);
      if (dim.hasDimValue() && dim.getDimValue() > 0) {
        s[d] = (int) dim.getDimValue();
      } else if (d == 0) {
        s[d] = 1; // the batch dimension: implicit4j models are per sample
      } else {
        throw new ImportException(source + ": input '" + vi.getName() + "' has symbolic dimension "
            + (dim.hasDimParam() ? "'" + dim.getDimParam() + "'" : "?") + " at axis " + d
            + "; give the shape with --input-shape " + vi.getName() + "=CxHxW (without the batch dimension)");
      }
    }
    return s;
  }

  /** Nodes needed for the outputs, in dependency order; refuses cycles and missing tensors. */
  private static List<OnnxMl.NodeProto> topologicalOrder(OnnxMl.GraphProto g, String source, List<String> outputs,
      LowerContext cx) {
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      for (String o : g.getNode(i).getOutputList()) {
        if (!o.isEmpty()) {
          producer.put(o, i);
        }
      }
    }
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
    int[] pending = new int[g.getNodeCount()];
    Map<Integer, List<Integer>> users = new HashMap<>();
    Deque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (!needed[i]) {
        continue;
      }
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
    long count = 0;
    for (boolean b : needed) {
      count += b ? 1 : 0;
    }
    if (order.size() != count) {
      List<String> cyc = new ArrayList<>();
      for (int i = 0; i < g.getNodeCount(); i++) {
        if (needed[i] && pending[i] > 0) {
          OnnxMl.NodeProto n = g.getNode(i);
          cyc.add("'" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "' (" + n.getOpType() + ")");
        }
      }
      throw new ImportException(source + ": the graph has a cycle through nodes " + String.join(", ", cyc)
          + "; ONNX graphs must be acyclic (loops need the Loop op, which is not supported)");
    }
    return order;
  }

  private static ImportResult assemble(LowerContext cx, List<ImportResult.GraphInput> inputs, int p,
      List<Affine> outValues, List<String> reproduced, String dropped, Map<String, Tensor> bound, int opset,
      String source, OnnxMl.ModelProto proto) {
    Shape inShape = inputs.size() == 1 ? perSample(inputs.get(0).shape()) : Shape.of(p);
    int q = outValues.stream().mapToInt(Affine::size).sum();
    Shape outShape = outValues.size() == 1 ? perSample(outValues.get(0).shape()) : Shape.of(q);
    List<LowerContext.PendingState> st = cx.states();
    int k = st.size();
    ImplicitModel.Builder b = ImplicitModel.builder(inShape, outShape);
    Map<Integer, String> tensors = new LinkedHashMap<>();
    for (int r = 0; r < k; r++) {
      LowerContext.PendingState s = st.get(k - 1 - r);
      b.addState(s.name(), Shape.of(s.shape()), s.activation());
      if (s.tensor() != null) {
        tensors.put(r, s.tensor());
      }
    }
    for (int c = 0; c < k; c++) {
      int row = k - 1 - c;
      Affine pre = st.get(c).preactivation();
      pre.terms().forEach((src, op) -> {
        if (src == Affine.INPUT) {
          b.addB(row, op);
        } else {
          b.addA(row, k - 1 - src, op);
        }
      });
      b.addStateBias(row, pre.bias());
    }
    int off = 0;
    for (Affine y : outValues) {
      int[] src = new int[q];
      Arrays.fill(src, -1);
      for (int i = 0; i < y.size(); i++) {
        src[off + i] = i;
      }
      LinearOperator embed = outValues.size() == 1 ? null : CsrMatrix.selection(src, y.size());
      y.terms().forEach((s, op) -> {
        LinearOperator full = embed == null ? op : Ops.compose(embed, op);
        if (s == Affine.INPUT) {
          b.addD(full);
        } else {
          b.addC(k - 1 - s, full);
        }
      });
      double[] bias = new double[q];
      System.arraycopy(y.bias(), 0, bias, off, y.size());
      b.addOutputBias(bias);
      off += y.size();
    }
    b.metadata("source", Path.of(source).getFileName().toString());
    b.metadata("onnx.opset", Integer.toString(opset));
    if (!proto.getProducerName().isEmpty()) {
      b.metadata("onnx.producer", proto.getProducerName() + " " + proto.getProducerVersion());
    }
    b.metadata("onnx.outputs", String.join(",", reproduced));
    if (dropped != null) {
      b.metadata("softmaxDropped", dropped);
    }
    ImplicitModel model = b.build();
    if (!model.isStrictlyUpperTriangular()) {
      throw new IllegalStateException("internal: imported A is not strictly upper triangular");
    }
    return new ImportResult(model, inputs, reproduced, dropped, tensors, bound, opset);
  }

  /** The per-sample shape: a leading batch dimension of 1 is dropped. */
  static Shape perSample(int[] full) {
    if (full.length >= 2 && full[0] == 1) {
      return Shape.of(Arrays.copyOfRange(full, 1, full.length));
    }
    return Shape.of(full);
  }
}
