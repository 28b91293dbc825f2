package org.implicit4j.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.implicit4j.OnnxGraphs;
import org.implicit4j.onnx.ConverterRegistry;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each converter on its own small ONNX graphs, imported and compared with ONNX Runtime on 20
 * seeded inputs uniform in [−1, 1) (so negative values reach ReLU, Clip, pools). The cases cover
 * every op the registry lists; a new op without a case fails {@link #everyRegisteredOpHasACase}.
 */
class ConverterTest {
  /** One test graph: the ops it exercises, its opset, the input shape [1, …], nodes and initializers. */
  record Case(String name, Set<String> ops, int opset, long[] input, List<OnnxMl.NodeProto> nodes,
      List<OnnxMl.TensorProto> inits) {
    /** The same graph with its last node's second input bound to {@code t} (a constant operand). */
    Case withInit(OnnxMl.TensorProto t) {
      List<OnnxMl.NodeProto> n = new ArrayList<>(nodes);
      OnnxMl.NodeProto last = n.remove(n.size() - 1);
      n.add(last.toBuilder().clearInput().addInput(last.getInput(0)).addInput(t.getName()).build());
      List<OnnxMl.TensorProto> i = new ArrayList<>(inits);
      i.add(t);
      return new Case(name, ops, opset, input, n, i);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final Random R = new Random(3);

  static OnnxMl.TensorProto floats(String name, long[] dims) {
    return OnnxGraphs.gaussian(name, R, 0.5, dims);
  }

  static OnnxMl.TensorProto positive(String name, long... dims) {
    OnnxMl.TensorProto t = floats(name, dims);
    OnnxMl.TensorProto.Builder b = t.toBuilder().clearFloatData();
    t.getFloatDataList().forEach(v -> b.addFloatData(Math.abs(v) + 0.5f));
    return b.build();
  }

  static OnnxMl.TensorProto longs(String name, long... values) {
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  static OnnxMl.TensorProto floatsOf(String name, float... v) {
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1).addDims(v.length);
    for (float x : v) {
      t.addFloatData(x);
    }
    return t.build();
  }

  static OnnxMl.TensorProto scalar(String name, float v) {
    return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1).addFloatData(v).build();
  }

  static OnnxMl.AttributeProto ints(String name, long... v) {
    return OnnxGraphs.ints(name, v);
  }

  static OnnxMl.AttributeProto i(String name, long v) {
    return OnnxGraphs.intAttr(name, v);
  }

  static OnnxMl.AttributeProto f(String name, float v) {
    return OnnxGraphs.floatAttr(name, v);
  }

  static OnnxMl.AttributeProto t(String name, OnnxMl.TensorProto v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
        .setT(v).build();
  }

  static OnnxMl.NodeProto node(String op, List<String> in, String out, OnnxMl.AttributeProto... attrs) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out).addAllInput(in).addOutput(out)
        .addAllAttribute(Arrays.asList(attrs)).build();
  }

  /** A one-node graph X ↦ op(X, constants…) → Y. */
  static Case one(String name, String op, int opset, long[] input, List<OnnxMl.TensorProto> inits,
      OnnxMl.AttributeProto... attrs) {
    List<String> in = new ArrayList<>(List.of("X"));
    inits.forEach(t -> in.add(t.getName()));
    return new Case(name, Set.of(op), opset, input, List.of(node(op, in, "Y", attrs)), inits);
  }

  static long[] dims(long... d) {
    return d;
  }

  /** X + 2 ↦ op: ops defined on positive arguments (log, sqrt, 1/x) see inputs in [1, 3). */
  static Case positiveArg(String name, String op, int opset) {
    return new Case(name, Set.of(op, "Add"), opset, dims(1, 6), List.of(node("Add", List.of("X", "two"), "P"),
        node(op, List.of("P"), "Y")), List.of(scalar("two", 2f)));
  }

  /** One node with several outputs, of which output {@code which} is the graph's Y. */
  static OnnxMl.NodeProto multi(String op, List<String> in, int which, int outputs, OnnxMl.AttributeProto... attrs) {
    OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_multi").addAllInput(in)
        .addAllAttribute(Arrays.asList(attrs));
    for (int o = 0; o < outputs; o++) {
      b.addOutput(o == which ? "Y" : o < which ? "" : "unused" + o);
    }
    return b.build();
  }

  /**
   * ONNX Runtime refuses layout 1 ("batchwise recurrent operations are not supported"), so a layout-1
   * case is checked against its layout-0 twin: the same op between Transposes, which is what the
   * ONNX spec defines layout 1 to mean.
   */
  private static final Map<String, Case> ORACLES = new HashMap<>();

  /**
   * X [1, 3, 4] (batch, seq, features) through a recurrent op with {@code dirs} directions, hidden 3;
   * layout 0 through a Transpose, layout 1 directly. Output {@code which}: Y, Y_h or Y_c. Extra
   * inputs (sequence_lens, initial_h, initial_c, P) follow B; a name starting with "none" is left out.
   */
  static Case recurrent(String name, String op, int gates, int dirs, int layout, int which,
      List<OnnxMl.TensorProto> extra, OnnxMl.AttributeProto... attrs) {
    List<OnnxMl.TensorProto> inits = new ArrayList<>(List.of(floats("W", dims(dirs, gates * 3, 4)),
        floats("R", dims(dirs, gates * 3, 3)), floats("B", dims(dirs, 2 * gates * 3))));
    inits.addAll(extra);
    List<OnnxMl.AttributeProto> a = new ArrayList<>(Arrays.asList(attrs));
    a.add(i("hidden_size", 3));
    if (dirs == 2) {
      a.add(OnnxGraphs.stringAttr("direction", "bidirectional"));
    }
    Case c = new Case(name, Set.of(op), 14, dims(1, 3, 4), recurrentNodes(op, layout, which, extra, a), inits);
    if (layout == 1) {
      ORACLES.put(name, new Case(name, Set.of(op), 14, dims(1, 3, 4), recurrentNodes(op, -1, which, extra, a), inits));
    }
    return c;
  }

  /** layout 0 or 1 as given; −1: layout 1's meaning spelled out with Transposes around a layout-0 op. */
  private static List<OnnxMl.NodeProto> recurrentNodes(String op, int layout, int which,
      List<OnnxMl.TensorProto> extra, List<OnnxMl.AttributeProto> attrs) {
    List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    List<String> in = new ArrayList<>(List.of(layout == 1 ? "X" : "XT", "W", "R", "B"));
    if (layout != 1) {
      nodes.add(node("Transpose", List.of("X"), "XT", ints("perm", 1, 0, 2)));
    }
    for (OnnxMl.TensorProto t : extra) {
      String e = t.getName();
      boolean state = e.equals("h0") || e.equals("c0");
      if (layout == -1 && state) {
        nodes.add(node("Transpose", List.of(e), e + "T", ints("perm", 1, 0, 2)));
      }
      in.add(e.startsWith("none") ? "" : layout == -1 && state ? e + "T" : e);
    }
    List<OnnxMl.AttributeProto> a = new ArrayList<>(attrs);
    a.add(i("layout", Math.max(layout, 0)));
    OnnxMl.NodeProto cell = multi(op, in, which, op.equals("LSTM") ? 3 : 2, a.toArray(OnnxMl.AttributeProto[]::new));
    if (layout != -1) {
      nodes.add(cell);
      return nodes;
    }
    List<String> outs = new ArrayList<>(cell.getOutputList());
    outs.set(which, "Y0");
    nodes.add(cell.toBuilder().clearOutput().addAllOutput(outs).build());
    nodes.add(node("Transpose", List.of("Y0"), "Y", which == 0 ? ints("perm", 2, 0, 1, 3) : ints("perm", 1, 0, 2)));
    return nodes;
  }

  static Stream<Case> cases() {
    long[] v6 = dims(1, 6);
    long[] img = dims(1, 2, 4, 4);
    return Stream.of(
        one("Relu", "Relu", 17, v6, List.of()),
        one("LeakyRelu", "LeakyRelu", 17, v6, List.of(), f("alpha", 0.2f)),
        one("Sigmoid", "Sigmoid", 17, v6, List.of()),
        one("Tanh", "Tanh", 17, v6, List.of()),
        one("PRelu", "PRelu", 17, dims(1, 3, 2, 2), List.of(floats("slope", dims(3, 1, 1)))),
        one("Clip", "Clip", 17, v6, List.of(scalar("lo", -0.2f), scalar("hi", 0.3f))),
        one("Clip opset 6", "Clip", 6, v6, List.of(), f("min", -0.1f), f("max", 0.4f)),
        one("Gemm transB", "Gemm", 17, dims(1, 4), List.of(floats("W", dims(3, 4)), floats("C", dims(3))),
            i("transB", 1), f("alpha", 0.7f), f("beta", 1.5f)),
        one("MatMul", "MatMul", 17, dims(1, 4), List.of(floats("W", dims(4, 3)))),
        one("Add", "Add", 17, v6, List.of(floats("C", dims(6)))),
        one("Sub", "Sub", 17, v6, List.of(floats("C", dims(1, 6)))),
        one("Mul", "Mul", 17, v6, List.of(floats("C", dims(6)))),
        one("Div", "Div", 17, v6, List.of(positive("C", 6))),
        one("Conv pads", "Conv", 17, dims(1, 2, 5, 5), List.of(floats("W", dims(3, 2, 3, 3)), floats("B", dims(3))),
            ints("pads", 1, 1, 1, 1)),
        one("Conv strided grouped", "Conv", 17, dims(1, 4, 6, 6), List.of(floats("W", dims(4, 2, 3, 3))),
            ints("strides", 2, 2), i("group", 2)),
        // depthwise (a group a channel: the C library's own kernel): rows of 2 vectors and a tail, then strided
        one("Conv depthwise padded", "Conv", 17, dims(1, 8, 9, 21), List.of(floats("W", dims(8, 1, 3, 3)),
            floats("B", dims(8))), ints("pads", 1, 1, 1, 1), i("group", 8)),
        one("Conv depthwise strided", "Conv", 17, dims(1, 6, 9, 9), List.of(floats("W", dims(6, 1, 3, 3))),
            ints("strides", 2, 2), ints("pads", 1, 0, 0, 1), i("group", 6)),
        one("BatchNormalization", "BatchNormalization", 15, dims(1, 3, 2, 2), List.of(floats("s", dims(3)),
            floats("b", dims(3)), floats("m", dims(3)), positive("v", 3))),
        one("MaxPool", "MaxPool", 17, img, List.of(), ints("kernel_shape", 2, 2), ints("strides", 2, 2)),
        one("MaxPool padded", "MaxPool", 17, dims(1, 1, 5, 5), List.of(), ints("kernel_shape", 3, 3),
            ints("pads", 1, 1, 1, 1)),
        one("GlobalMaxPool", "GlobalMaxPool", 17, dims(1, 2, 3, 3), List.of()),
        one("AveragePool", "AveragePool", 17, img, List.of(), ints("kernel_shape", 2, 2)),
        one("GlobalAveragePool", "GlobalAveragePool", 17, img, List.of()),
        one("Pad", "Pad", 17, dims(1, 1, 3, 3), List.of(longs("pads", 0, 0, 1, 2, 0, 0, 1, 0), scalar("cv", 0.5f))),
        one("Flatten", "Flatten", 17, dims(1, 2, 3), List.of(), i("axis", 1)),
        one("Reshape", "Reshape", 17, v6, List.of(longs("shape", 1, 2, -1))),
        one("Squeeze", "Squeeze", 17, dims(1, 6, 1), List.of(longs("axes", 2))),
        one("Unsqueeze", "Unsqueeze", 17, v6, List.of(longs("axes", 2))),
        one("Identity", "Identity", 17, v6, List.of()),
        one("Dropout", "Dropout", 17, v6, List.of()),
        one("Transpose", "Transpose", 17, dims(1, 2, 3), List.of(), ints("perm", 0, 2, 1)),
        one("Concat", "Concat", 17, dims(1, 3), List.of(floats("C", dims(1, 2))), i("axis", 1)),
        one("Slice steps", "Slice", 17, v6, List.of(longs("starts", 1), longs("ends", 6), longs("axes", 1),
            longs("steps", 2))),
        new Case("Constant", Set.of("Constant", "Add"), 17, v6, List.of(
            node("Constant", List.of(), "C", t("value", floats("c", dims(6)))),
            node("Add", List.of("X", "C"), "Y")), List.of()),
        new Case("Shape Gather Concat Reshape", Set.of("Shape", "Gather"), 17, dims(1, 2, 3), List.of(
            node("Shape", List.of("X"), "S"),
            node("Gather", List.of("S", "zero"), "N", i("axis", 0)),
            node("Concat", List.of("N", "minus1"), "T", i("axis", 0)),
            node("Reshape", List.of("X", "T"), "Y")), List.of(longs("zero", 0), longs("minus1", -1))),
        one("Gather on the input", "Gather", 17, dims(1, 6), List.of(longs("idx", 4, 0, 0, 5)), i("axis", 1)),
        new Case("Cast", Set.of("Cast"), 17, v6, List.of(node("Cast", List.of("X"), "Y", i("to", 1))), List.of()),
        new Case("ConstantOfShape", Set.of("ConstantOfShape", "Add"), 17, v6, List.of(
            node("ConstantOfShape", List.of("shape"), "K", t("value", scalar("v", 0.5f).toBuilder().addDims(1).build())),
            node("Add", List.of("X", "K"), "Y")), List.of(longs("shape", 6))),
        one("Conv 3-D grouped, strided, padded", "Conv", 17, dims(1, 2, 4, 5, 3), List.of(floats("W", dims(4, 1, 2, 3, 2)),
            floats("B", dims(4))), i("group", 2), ints("strides", 1, 2, 1), ints("pads", 1, 0, 1, 0, 1, 0)),
        one("MaxPool 3-D", "MaxPool", 17, dims(1, 2, 4, 4, 3), List.of(), ints("kernel_shape", 2, 2, 2),
            ints("strides", 2, 1, 1), ints("pads", 0, 1, 1, 0, 0, 0)),
        one("AveragePool 3-D ceil, pads counted", "AveragePool", 17, dims(1, 1, 5, 4, 3), List.of(),
            ints("kernel_shape", 2, 3, 2), ints("strides", 2, 2, 2), i("ceil_mode", 1), ints("pads", 1, 1, 0, 1, 1, 0),
            i("count_include_pad", 1)),
        one("Pad reflect", "Pad", 17, dims(1, 1, 3, 4), List.of(longs("pads", 0, 0, 2, 3, 0, 0, 1, 2)),
            OnnxGraphs.stringAttr("mode", "reflect")),
        one("Pad edge", "Pad", 17, dims(1, 1, 3, 4), List.of(longs("pads", 0, 0, 2, 1, 0, 0, 1, 4)),
            OnnxGraphs.stringAttr("mode", "edge")),
        one("Pad wrap", "Pad", 19, dims(1, 1, 3, 4), List.of(longs("pads", 0, 0, 2, 3, 0, 0, 1, 0)),
            OnnxGraphs.stringAttr("mode", "wrap")),
        new Case("Dropout mask in inference", Set.of("Dropout", "Cast", "Mul"), 17, v6, List.of(
            OnnxMl.NodeProto.newBuilder().setOpType("Dropout").setName("drop").addInput("X").addOutput("D")
                .addOutput("M").build(),
            node("Cast", List.of("M"), "F", i("to", 1)), node("Mul", List.of("D", "F"), "Y")), List.of()),
        new Case("Einsum attention scores bqd,bkd->bqk", Set.of("Einsum"), 17, dims(1, 3, 2), List.of(
            node("Einsum", List.of("X", "X"), "Y", OnnxGraphs.stringAttr("equation", "bqd,bkd->bqk"))), List.of()),
        new Case("Einsum implicit output bij,bkj (-> bik)", Set.of("Einsum"), 17, dims(1, 3, 2), List.of(
            node("Einsum", List.of("X", "X"), "Y", OnnxGraphs.stringAttr("equation", "bij,bkj"))), List.of()),
        new Case("Einsum with ellipses ...qd,...kd->...qk", Set.of("Einsum"), 17, dims(1, 2, 3), List.of(
            node("Einsum", List.of("X", "X"), "Y", OnnxGraphs.stringAttr("equation", "...qd,...kd->...qk"))),
            List.of()),
        // The ellipsis stands for no axis here, and the output is implicit: a dot product.
        new Case("Einsum ...bi,...bi (implicit, empty ellipsis)", Set.of("Einsum"), 17, v6, List.of(
            node("Einsum", List.of("X", "X"), "Y", OnnxGraphs.stringAttr("equation", "...bi,...bi"))), List.of()),
        one("Einsum with a constant, summed and transposed", "Einsum", 17, dims(1, 3, 2), List.of(floats("W", dims(2, 4))),
            OnnxGraphs.stringAttr("equation", "bij,jk->kb")),
        new Case("Gelu exact over [-3, 3)", Set.of("Gelu", "Mul"), 20, v6, List.of(
            node("Mul", List.of("X", "three"), "Z"), node("Gelu", List.of("Z"), "Y")), List.of(scalar("three", 3f))),
        new Case("Gelu tanh over [-3, 3)", Set.of("Gelu", "Mul"), 20, v6, List.of(
            node("Mul", List.of("X", "three"), "Z"), node("Gelu", List.of("Z"), "Y",
                OnnxGraphs.stringAttr("approximate", "tanh"))), List.of(scalar("three", 3f))),
        one("Neg", "Neg", 17, v6, List.of()),
        one("Abs", "Abs", 17, v6, List.of()),
        one("Sum of three, broadcast", "Sum", 17, v6, List.of(floats("P", dims(6)), floats("Q", dims(1)))),
        one("Mean of two", "Mean", 17, v6, List.of(floats("P", dims(1, 6)))),
        new Case("Max of the input and an activation", Set.of("Max", "Sigmoid"), 17, v6, List.of(
            node("Sigmoid", List.of("X"), "S"), node("Max", List.of("X", "S", "C"), "Y")), List.of(floats("C", dims(6)))),
        new Case("Min of the input and an activation", Set.of("Min", "Tanh"), 17, v6, List.of(
            node("Tanh", List.of("X"), "T"), node("Min", List.of("X", "T"), "Y")), List.of()),
        // Max of integer shape values must stay integer, or the Div after it would not truncate 3/2 to 1.
        new Case("Max and Div in shape arithmetic", Set.of("Max", "Div", "Shape", "Gather"), 17, dims(1, 2, 3), List.of(
            node("Shape", List.of("X"), "S"), node("Gather", List.of("S", "two"), "N", i("axis", 0)),
            node("Max", List.of("N", "one"), "M"), node("Div", List.of("M", "twoTensor"), "H"),
            node("Cast", List.of("H"), "F", i("to", 1)), node("Add", List.of("X", "F"), "Y")),
            List.of(longs("two", 2), longs("one", 1), longs("twoTensor", 2))),
        one("Elu", "Elu", 17, v6, List.of(), f("alpha", 0.7f)),
        one("Selu", "Selu", 17, v6, List.of()),
        one("Celu", "Celu", 17, v6, List.of(), f("alpha", 1.5f)),
        one("Softsign", "Softsign", 17, v6, List.of()),
        one("Mish", "Mish", 18, v6, List.of()),
        one("Shrink (soft)", "Shrink", 17, v6, List.of(), f("lambd", 0.3f), f("bias", 0.3f)),
        one("Tile", "Tile", 17, dims(1, 2, 3), List.of(longs("reps", 1, 2, 3))),
        one("DepthToSpace DCR", "DepthToSpace", 17, dims(1, 8, 2, 3), List.of(), i("blocksize", 2)),
        one("DepthToSpace CRD", "DepthToSpace", 17, dims(1, 8, 2, 3), List.of(), i("blocksize", 2),
            OnnxGraphs.stringAttr("mode", "CRD")),
        one("SpaceToDepth", "SpaceToDepth", 17, dims(1, 2, 4, 6), List.of(), i("blocksize", 2)),
        one("CumSum", "CumSum", 17, dims(1, 3, 4), List.of(longs("axis", 2))),
        one("CumSum exclusive reverse", "CumSum", 17, dims(1, 3, 4), List.of(longs("axis", 1)), i("exclusive", 1),
            i("reverse", 1)),
        one("InstanceNormalization", "InstanceNormalization", 17, dims(1, 3, 2, 4), List.of(floats("s", dims(3)),
            floats("b", dims(3))), f("epsilon", 0.01f)),
        one("LpNormalization p=2", "LpNormalization", 17, dims(1, 3, 4), List.of(), i("axis", -1)),
        one("LpNormalization p=1", "LpNormalization", 17, dims(1, 3, 4), List.of(), i("axis", 1), i("p", 1)),
        new Case("Resize nearest x2 (scales)", Set.of("Resize"), 13, dims(1, 2, 3, 4), List.of(
            node("Resize", List.of("X", "", "sc"), "Y", OnnxGraphs.stringAttr("mode", "nearest"))),
            List.of(floatsOf("sc", 1, 1, 2, 2))),
        new Case("Resize linear half_pixel (sizes)", Set.of("Resize"), 13, dims(1, 2, 3, 4), List.of(
            node("Resize", List.of("X", "", "", "sz"), "Y", OnnxGraphs.stringAttr("mode", "linear"))),
            List.of(longs("sz", 1, 2, 5, 7))),
        new Case("Resize linear align_corners", Set.of("Resize"), 13, dims(1, 1, 3, 4), List.of(
            node("Resize", List.of("X", "", "sc"), "Y", OnnxGraphs.stringAttr("mode", "linear"),
                OnnxGraphs.stringAttr("coordinate_transformation_mode", "align_corners"))),
            List.of(floatsOf("sc", 1, 1, 2, 1.5f))),
        new Case("Resize nearest asymmetric floor, down", Set.of("Resize"), 13, dims(1, 1, 4, 6), List.of(
            node("Resize", List.of("X", "", "sc"), "Y", OnnxGraphs.stringAttr("coordinate_transformation_mode",
                "asymmetric"), OnnxGraphs.stringAttr("nearest_mode", "floor"))), List.of(floatsOf("sc", 1, 1, 0.5f, 0.6f))),
        new Case("Upsample opset 9", Set.of("Upsample"), 9, dims(1, 1, 2, 3), List.of(
            node("Upsample", List.of("X", "sc"), "Y")), List.of(floatsOf("sc", 1, 1, 2, 3))),
        new Case("Size", Set.of("Size", "Cast", "Mul"), 17, v6, List.of(node("Size", List.of("X"), "S"),
            node("Cast", List.of("S"), "F", i("to", 1)), node("Mul", List.of("X", "F"), "Y")), List.of()),
        one("Trilu upper k=1", "Trilu", 17, dims(1, 3, 4), List.of(longs("k", 1))),
        one("Trilu lower", "Trilu", 17, dims(1, 3, 4), List.of(), i("upper", 0)),
        one("GatherElements", "GatherElements", 17, dims(1, 3, 4), List.of(OnnxMl.TensorProto.newBuilder()
            .setName("ix").setDataType(7).addDims(1).addDims(2).addDims(4).addAllInt64Data(List.of(0L, 2L, 1L, 2L, 1L,
                0L, 0L, 2L)).build()), i("axis", 1)),
        one("ReduceProd", "ReduceProd", 13, dims(1, 3, 5), List.of(), ints("axes", 2)),
        new Case("Comparisons and logic on constants into Where", Set.of("Less", "Greater", "LessOrEqual",
            "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where"), 16, v6, List.of(
            node("Less", List.of("p", "q"), "L"), node("Greater", List.of("p", "r"), "G"),
            node("And", List.of("L", "G"), "A"), node("LessOrEqual", List.of("p", "q"), "LE"),
            node("Or", List.of("A", "LE"), "O"), node("GreaterOrEqual", List.of("p", "r"), "GE"),
            node("Not", List.of("GE"), "N"), node("Xor", List.of("O", "N"), "M"),
            node("Where", List.of("M", "X", "C"), "Y")),
            List.of(longs("p", 1, 2, 3, 4, 5, 6), longs("q", 3, 3, 3, 3, 3, 3), longs("r", 0, 4, 1, 5, 2, 6),
                floats("C", dims(6)))),
        one("ConvTranspose stride 2, padded, output_padding", "ConvTranspose", 17, dims(1, 2, 3, 4),
            List.of(floats("W", dims(2, 3, 3, 3)), floats("B", dims(3))), ints("strides", 2, 2),
            ints("pads", 1, 0, 0, 1), ints("output_padding", 1, 0)),
        one("ConvTranspose grouped, dilated", "ConvTranspose", 17, dims(1, 4, 3, 3), List.of(floats("W", dims(4, 1, 2, 2))),
            i("group", 2), ints("dilations", 2, 1)),
        one("ConvTranspose output_shape past the natural size", "ConvTranspose", 17, dims(1, 1, 3, 3),
            List.of(floats("W", dims(1, 2, 3, 3))), ints("strides", 3, 2), ints("output_shape", 10, 8)),
        one("ConvTranspose 1-D SAME_UPPER", "ConvTranspose", 17, dims(1, 2, 5), List.of(floats("W", dims(2, 2, 3))),
            ints("strides", 2), OnnxGraphs.stringAttr("auto_pad", "SAME_UPPER")),
        new Case("Sin, Cos, Floor, Ceil, Round, Sign, Mod, Range on constants", Set.of("Sin", "Cos", "Floor", "Ceil",
            "Round", "Sign", "Mod", "Range"), 17, v6, List.of(
            node("Sin", List.of("c"), "S"), node("Cos", List.of("c"), "C"), node("Floor", List.of("c"), "F"),
            node("Ceil", List.of("c"), "E"), node("Round", List.of("c"), "R"), node("Sign", List.of("c"), "G"),
            node("Mod", List.of("m", "d"), "M"), node("Cast", List.of("M"), "MF", i("to", 1)),
            node("Range", List.of("r0", "r1", "r2"), "Q"),
            node("Sum", List.of("X", "S", "C", "F", "E", "R", "G", "MF", "Q"), "Y")),
            List.of(floatsOf("c", -2.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.7f), longs("m", -7, 7, -7, 7, 5, 6),
                longs("d", 3, 3, -3, -3, 5, 4), scalar("r0", 1f), scalar("r1", 4f), scalar("r2", 0.5f))),
        one("Exp", "Exp", 17, v6, List.of()),
        positiveArg("Log", "Log", 17),
        positiveArg("Sqrt", "Sqrt", 17),
        positiveArg("Reciprocal", "Reciprocal", 17),
        one("Erf", "Erf", 17, v6, List.of()),
        one("Softplus", "Softplus", 17, v6, List.of()),
        one("HardSigmoid clipped both ways", "HardSigmoid", 17, v6, List.of(), f("alpha", 0.9f), f("beta", 0.5f)),
        new Case("HardSwish over [-5, 5)", Set.of("HardSwish", "Mul"), 17, v6, List.of(
            node("Mul", List.of("X", "five"), "Z"), node("HardSwish", List.of("Z"), "Y")), List.of(scalar("five", 5f))),
        new Case("SiLU: Mul of two activations", Set.of("Mul", "Sigmoid"), 17, v6, List.of(
            node("Sigmoid", List.of("X"), "S"), node("Mul", List.of("X", "S"), "Y")), List.of()),
        new Case("Div by an activation", Set.of("Div", "Exp"), 17, v6, List.of(
            node("Exp", List.of("X"), "E"), node("Div", List.of("X", "E"), "Y")), List.of()),
        new Case("MatMul of two activations (X Xt)", Set.of("MatMul", "Transpose"), 17, dims(1, 2, 3), List.of(
            node("Transpose", List.of("X"), "XT", ints("perm", 0, 2, 1)), node("MatMul", List.of("X", "XT"), "Y")),
            List.of()),
        one("Softmax axis 1", "Softmax", 13, dims(1, 3, 2), List.of(), i("axis", 1)),
        one("Softmax opset 11 (flattened)", "Softmax", 11, dims(1, 2, 3), List.of(), i("axis", 1)),
        one("LogSoftmax", "LogSoftmax", 17, dims(1, 2, 3), List.of(), i("axis", -1)),
        one("LayerNormalization last axis", "LayerNormalization", 17, dims(1, 3, 4),
            List.of(floats("scale", dims(4)), floats("bias", dims(4)))),
        one("LayerNormalization axis 1", "LayerNormalization", 17, dims(1, 3, 4), List.of(floats("scale", dims(3, 4))),
            i("axis", 1), f("epsilon", 0.1f)),
        one("ReduceMean", "ReduceMean", 13, dims(1, 3, 4), List.of(), ints("axes", 1), i("keepdims", 0)),
        one("ReduceSum axes input", "ReduceSum", 13, dims(1, 3, 4), List.of(longs("axes", -1))),
        one("ReduceMax over two axes", "ReduceMax", 13, dims(1, 3, 5), List.of(), ints("axes", 1, 2), i("keepdims", 0)),
        one("ReduceMin axes input", "ReduceMin", 18, dims(1, 3, 5), List.of(longs("axes", 2))),
        one("ReduceL1", "ReduceL1", 13, dims(1, 3, 4), List.of(), ints("axes", 2)),
        one("ReduceL2", "ReduceL2", 13, dims(1, 3, 4), List.of(), ints("axes", 1)),
        one("ReduceSumSquare", "ReduceSumSquare", 13, dims(1, 3, 4), List.of(), ints("axes", 2), i("keepdims", 0)),
        positiveArg("ReduceLogSum", "ReduceLogSum", 13),
        one("ReduceLogSumExp", "ReduceLogSumExp", 13, dims(1, 3, 4), List.of(), ints("axes", 2)),
        one("Pow 2", "Pow", 15, v6, List.of(scalar("p", 2f))),
        one("Pow 3", "Pow", 15, v6, List.of(scalar("p", 3f))),
        positiveArg("Pow 0.5", "Pow", 15).withInit(scalar("half", 0.5f)),
        new Case("Split then Mul", Set.of("Split", "Mul"), 13, v6, List.of(
            OnnxMl.NodeProto.newBuilder().setOpType("Split").setName("split").addInput("X").addInput("sizes")
                .addOutput("A").addOutput("B").addAttribute(i("axis", 1)).build(),
            node("Mul", List.of("A", "B"), "Y")), List.of(longs("sizes", 3, 3))),
        one("Expand", "Expand", 13, dims(1, 1, 3), List.of(longs("shape", 2, 1))),
        new Case("Equal Where", Set.of("Equal", "Where"), 16, v6, List.of(
            node("Equal", List.of("p", "q"), "M"), node("Where", List.of("M", "X", "C"), "Y")),
            List.of(longs("p", 1, 2, 3, 4, 5, 6), longs("q", 1, 0, 3, 0, 0, 6), floats("C", dims(6)))),
        recurrent("RNN layout 0", "RNN", 1, 1, 0, 0, List.of()),
        recurrent("RNN reverse Y_h, relu", "RNN", 1, 1, 1, 1, List.of(), OnnxGraphs.stringAttr("direction", "reverse"),
            OnnxGraphs.stringsAttr("activations", "Relu")),
        recurrent("GRU bidirectional", "GRU", 3, 2, 1, 0, List.of()),
        recurrent("GRU linear_before_reset Y_h", "GRU", 3, 1, 0, 1, List.of(), i("linear_before_reset", 1)),
        recurrent("LSTM layout 0", "LSTM", 4, 1, 0, 0, List.of()),
        recurrent("LSTM bidirectional Y_c, initial states, peepholes", "LSTM", 4, 2, 1, 2, List.of(
            floats("none_seq", dims(1)), floats("h0", dims(1, 2, 3)), floats("c0", dims(1, 2, 3)),
            floats("P", dims(2, 9)))));
  }

  static OnnxMl.ModelProto model(Case c) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : c.input()) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    OnnxMl.ValueInfoProto x = OnnxMl.ValueInfoProto.newBuilder().setName("X").setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    OnnxMl.ValueInfoProto y = OnnxMl.ValueInfoProto.newBuilder().setName("Y").setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))).build();
    OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName(c.name()).addInput(x).addOutput(y)
        .addAllNode(c.nodes()).addAllInitializer(c.inits()).build();
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(c.opset())).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesOnnxRuntime(Case c) throws Exception {
    OnnxMl.ModelProto proto = model(c);
    OnnxMl.ModelProto oracle = model(ORACLES.getOrDefault(c.name(), c));
    // A trailing Softmax is kept, so that the Softmax cases test the converter rather than its omission.
    ImportResult r = OnnxImporter.importModel(proto, c.name() + ".onnx", null,
        ImportOptions.defaults().withTrailingSoftmax(true));
    Random rnd = new Random(c.name().hashCode());
    double[][] x = new double[20][r.model().p()];
    for (double[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (2 * rnd.nextDouble() - 1);
      }
    }
    VerificationReport rep = Verifier.verifyOnnx(oracle, r, c.name(),
        new Verifier.Check(x, new Verifier.Tolerance(1e-5, 1e-4), false), null).report();
    assertTrue(rep.passed(), rep.summary());
    assertEquals(20, rep.matched());
  }

  @Test
  void everyRegisteredOpHasACase() {
    Set<String> covered = cases().flatMap(c -> c.ops().stream()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> missing = new TreeSet<>(ConverterRegistry.entries().keySet());
    missing.removeAll(covered);
    assertTrue(missing.isEmpty(), "ops without a converter test: " + missing);
  }

  /** A float16 output (a Cast at the end) is compared as floats, within float16's rounding. */
  @Test
  void float16OutputsAreComparedAsFloats() throws Exception {
    Case c = one("Cast to float16", "Cast", 17, dims(1, 6), List.of(), i("to", 10));
    OnnxMl.ModelProto proto = model(c);
    OnnxMl.GraphProto.Builder g = proto.getGraph().toBuilder();
    g.setOutput(0, g.getOutput(0).toBuilder().setType(g.getOutput(0).getType().toBuilder().setTensorType(
        g.getOutput(0).getType().getTensorType().toBuilder().setElemType(10))));
    proto = proto.toBuilder().setGraph(g).build();
    ImportResult r = OnnxImporter.importModel(proto, "fp16.onnx", null, ImportOptions.defaults());
    double[][] x = {{0.1, -0.2, 0.3, 1.5, -2.25, 100.0}};
    VerificationReport rep = Verifier.verifyOnnx(proto, r, "fp16.onnx",
        new Verifier.Check(x, new Verifier.Tolerance(1e-3, 1e-3), false), null).report();
    assertTrue(rep.passed(), rep.summary());
    assertTrue(rep.maxAbsError() > 0, "float16 rounding should show: " + rep.summary());
  }
}
