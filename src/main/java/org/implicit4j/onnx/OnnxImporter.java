package org.implicit4j.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Provenance;
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

  /**
   * Imports a parsed network: constants folded, inputs bound to u, nodes lowered in dependency order
   * by their converters, then the model assembled with its states last layer first.
   */
  public static ImportResult importModel(OnnxMl.ModelProto proto, String source, Path modelDir, ImportOptions options)
      throws IOException {
    int opset = opsetOf(proto, source);
    OnnxMl.GraphProto g = proto.getGraph();
    LowerContext cx = new LowerContext(source, modelDir, options.maxStates());
    Set<String> initNames = bindInitializers(g, cx, modelDir, source);
    Map<String, Tensor> bound = new LinkedHashMap<>();
    List<ImportResult.GraphInput> inputs = graphInputs(g, options, cx, initNames, bound);
    int p = bindInputs(cx, inputs, source);
    List<String> outputs = g.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
    Lowered lowered = lowerNodes(GraphOrder.of(g, source, outputs, cx), opset,
        options.keepTrailingSoftmax() ? List.of() : outputs, cx);
    List<String> reproduced = new ArrayList<>();
    List<Affine> outValues = new ArrayList<>();
    for (String o : outputs) {
      if (!cx.has(o)) {
        throw new ImportException(source + ": graph output '" + o + "' is produced by no node");
      }
      outValues.add(cx.value(o, null));
      reproduced.add(lowered.renamed().getOrDefault(o, o));
    }
    Path file = Path.of(source).getFileName();
    Provenance prov = new Provenance(file == null ? source : file.toString(), opset, proto.getProducerName().isEmpty()
        ? null : proto.getProducerName() + " " + proto.getProducerVersion(),
        inputs.stream().map(ImportResult.GraphInput::name).toList(), reproduced, lowered.droppedSoftmax(), null, null,
        null);
    ImplicitModel model = ModelAssembly.assemble(cx.states(), inputs, p, outValues, prov);
    return new ImportResult(model, inputs, reproduced, lowered.droppedSoftmax(), ModelAssembly.stateTensors(cx.states()),
        bound, opset);
  }

  /** The opset of the default ONNX domain (IR ≤ 3 files without one are opset 1). */
  private static int opsetOf(OnnxMl.ModelProto proto, String source) {
    int opset = -1;
    for (OnnxMl.OperatorSetIdProto o : proto.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = (int) o.getVersion();
      }
    }
    if (opset < 0 && proto.getIrVersion() <= 3) {
      opset = 1;
    }
    if (opset < 0) {
      throw new ImportException(source + ": no opset import for the default ONNX domain");
    }
    return opset;
  }

  /** Binds every initializer as a constant (refusing NaN/Inf weights); returns their names. */
  private static Set<String> bindInitializers(OnnxMl.GraphProto g, LowerContext cx, Path modelDir, String source)
      throws IOException {
    Set<String> names = new HashSet<>();
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
      names.add(t.getName());
    }
    return names;
  }

  /** The graph inputs that feed u, in order; inputs the options fix to constants are bound into {@code bound}. */
  private static List<ImportResult.GraphInput> graphInputs(OnnxMl.GraphProto g, ImportOptions options,
      LowerContext cx, Set<String> initNames, Map<String, Tensor> bound) {
    List<ImportResult.GraphInput> inputs = new ArrayList<>();
    for (OnnxMl.ValueInfoProto vi : g.getInputList()) {
      if (initNames.contains(vi.getName())) {
        continue;
      }
      Tensor fixed = options.boundInputs().get(vi.getName());
      if (fixed != null) {
        cx.bind(vi.getName(), Affine.constant(fixed));
        bound.put(vi.getName(), fixed);
        continue;
      }
      requireRealTensor(vi, cx.source());
      inputs.add(new ImportResult.GraphInput(vi.getName(), inputShape(vi, options, cx.source(), g.getInputCount()),
          vi.getType().getTensorType().getElemType()));
    }
    if (inputs.isEmpty()) {
      throw new ImportException(cx.source() + ": the graph has no non-constant input");
    }
    for (String named : options.inputShapes().keySet()) {
      if (!named.isEmpty() && inputs.stream().noneMatch(in -> in.name().equals(named))) {
        throw new ImportException(cx.source() + ": --input-shape names '" + named + "', which is not an input of the "
            + "graph; its inputs are " + inputs.stream().map(ImportResult.GraphInput::name).toList());
      }
    }
    return inputs;
  }

  /** Binds each input to its slice of u = (u₁, u₂, …); returns p. */
  private static int bindInputs(LowerContext cx, List<ImportResult.GraphInput> inputs, String source) {
    long p = 0;
    for (ImportResult.GraphInput in : inputs) {
      p += Arrays.stream(in.shape()).asLongStream().reduce(1, (a, b) -> a * b);
    }
    if (p > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw new ImportException(source + ": inputs declare " + p + " values; too large to hold");
    }
    int off = 0;
    for (ImportResult.GraphInput in : inputs) {
      int size = Tensor.sizeOf(in.shape());
      LinearOperator sel = inputs.size() == 1 ? DiagonalMatrix.identity(size)
          : CsrMatrix.selection(java.util.stream.IntStream.range(off, off + size).toArray(), (int) p);
      cx.bind(in.name(), new Affine(in.shape(), Map.of(Affine.INPUT, sel), new double[size], false));
      off += size;
    }
    return (int) p;
  }

  /**
   * The node's converter on the node; an attribute or input the converter did not anticipate
   * (sizes that overflow, indices out of range) is refused naming the node, never escaping as a
   * bare runtime exception.
   */
  private static List<Affine> lower(OnnxNodeView view) {
    try {
      return ConverterRegistry.lookup(view).lower(view);
    } catch (ImportException e) {
      // Errors raised below the converter (e.g. a tensor too large) get the node's name too.
      throw e.getMessage().contains("node '") ? e : view.error(e.getMessage());
    } catch (org.implicit4j.Implicit4jException e) {
      throw e;
    } catch (ArithmeticException | IndexOutOfBoundsException | NegativeArraySizeException | IllegalArgumentException
        | IllegalStateException | NullPointerException e) {
      throw view.error("its attributes or inputs are inconsistent (" + e.getMessage() + ")");
    }
  }

  /** What lowering left for the outputs: a dropped trailing (Log)Softmax and the outputs it renamed. */
  private record Lowered(String droppedSoftmax, Map<String, String> renamed) {}

  /**
   * Lowers the nodes in order through their converters; a (Log)Softmax giving one of
   * {@code dropAfter} is left out of ŷ.
   */
  private static Lowered lowerNodes(List<OnnxMl.NodeProto> order, int opset, List<String> dropAfter, LowerContext cx) {
    String dropped = null;
    Map<String, String> renamed = new HashMap<>();
    for (OnnxMl.NodeProto node : order) {
      OnnxNodeView view = new OnnxNodeView(node, opset, cx);
      if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
        throw view.error("op domain '" + node.getDomain() + "' is not supported; only the default ONNX domain is");
      }
      String op = node.getOpType();
      if ((op.equals("Softmax") || op.equals("LogSoftmax")) && dropAfter.contains(node.getOutput(0))) {
        // A trailing (Log)Softmax is monotone: left out of ŷ, which then holds the logits.
        cx.bind(node.getOutput(0), view.input(0));
        renamed.put(node.getOutput(0), node.getInput(0));
        dropped = op;
        continue;
      }
      List<Affine> out = lower(view);
      for (int i = 0; i < out.size() && i < node.getOutputCount(); i++) {
        if (!node.getOutput(i).isEmpty()) {
          cx.bind(node.getOutput(i), out.get(i));
        }
      }
    }
    return new Lowered(dropped, renamed);
  }

  /** u is real-valued: float, double, float16 or bfloat16 tensors only (not integers, strings, sequences). */
  private static void requireRealTensor(OnnxMl.ValueInfoProto vi, String source) {
    if (!vi.getType().hasTensorType()) {
      throw new ImportException(source + ": graph input '" + vi.getName() + "' is a " + vi.getType().getValueCase()
          .name().toLowerCase(java.util.Locale.ROOT).replace("_type", "") + ", not a tensor; implicit models take "
          + "real-valued tensors");
    }
    int t = vi.getType().getTensorType().getElemType();
    if (t != 1 && t != 10 && t != 11 && t != 16) {
      String name = OnnxMl.TensorProto.DataType.forNumber(t) == null ? "type " + t
          : OnnxMl.TensorProto.DataType.forNumber(t).name();
      throw new ImportException(source + ": graph input '" + vi.getName() + "' holds " + name + " values; implicit "
          + "models take real-valued inputs (float, double, float16, bfloat16)");
    }
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
      if (dim.hasDimValue() && dim.getDimValue() > Integer.MAX_VALUE) {
        throw new ImportException(source + ": input '" + vi.getName() + "' declares dimension " + dim.getDimValue()
            + " at axis " + d + "; too large to hold");
      } else if (dim.hasDimValue() && dim.getDimValue() > 0) {
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

  /** The per-sample shape: a leading batch dimension of 1 is dropped. */
  static Shape perSample(int[] full) {
    if (full.length >= 2 && full[0] == 1) {
      return Shape.of(Arrays.copyOfRange(full, 1, full.length));
    }
    return Shape.of(full);
  }
}
