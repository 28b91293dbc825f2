package org.implicit4j.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.ops.ActivationConverter;
import org.implicit4j.onnx.ops.AveragePoolConverter;
import org.implicit4j.onnx.ops.BatchNormConverter;
import org.implicit4j.onnx.ops.ClipConverter;
import org.implicit4j.onnx.ops.ConcatConverter;
import org.implicit4j.onnx.ops.ConstantConverter;
import org.implicit4j.onnx.ops.ConvConverter;
import org.implicit4j.onnx.ops.ConvTransposeConverter;
import org.implicit4j.onnx.ops.EinsumConverter;
import org.implicit4j.onnx.ops.ElementwiseConverter;
import org.implicit4j.onnx.ops.GemmConverter;
import org.implicit4j.onnx.ops.LayerNormConverter;
import org.implicit4j.onnx.ops.LayoutConverter;
import org.implicit4j.onnx.ops.PowConverter;
import org.implicit4j.onnx.ops.RecurrentConverter;
import org.implicit4j.onnx.ops.ReduceConverter;
import org.implicit4j.onnx.ops.SoftmaxConverter;
import org.implicit4j.onnx.ops.SplitConverter;
import org.implicit4j.onnx.ops.MatMulConverter;
import org.implicit4j.onnx.ops.MaxPoolConverter;
import org.implicit4j.onnx.ops.PReluConverter;
import org.implicit4j.onnx.ops.PiecewiseConverter;
import org.implicit4j.onnx.ops.PadConverter;
import org.implicit4j.onnx.ops.ReshapeConverter;
import org.implicit4j.onnx.ops.ResizeConverter;
import org.implicit4j.onnx.ops.ShapeArithmeticConverter;
import org.implicit4j.onnx.ops.SliceConverter;
import org.implicit4j.onnx.ops.TransposeConverter;

/**
 * Which converter lowers which ONNX op, over which opsets of the default domain. Adding an op is
 * one converter class and one line here; registering an op twice is an error.
 */
public final class ConverterRegistry {
  /** A converter and the opset range [minOpset, maxOpset] it was written against. */
  public record Entry(String op, int minOpset, int maxOpset, OpConverter converter) {}

  private static final Map<String, Entry> ENTRIES = new TreeMap<>();

  static {
    register("Relu", 6, 21, new ActivationConverter(n -> Activation.RELU));
    register("LeakyRelu", 6, 21, new ActivationConverter(n -> Activation.leakyRelu((float) n.floatOr("alpha", 0.01f))));
    register("Sigmoid", 6, 21, new ActivationConverter(n -> Activation.SIGMOID));
    register("Tanh", 6, 21, new ActivationConverter(n -> Activation.TANH));
    register("Exp", 6, 21, new ActivationConverter(n -> Activation.EXP));
    register("Log", 6, 21, new ActivationConverter(n -> Activation.LOG));
    register("Sqrt", 6, 21, new ActivationConverter(n -> Activation.SQRT));
    register("Reciprocal", 6, 21, new ActivationConverter(n -> Activation.RECIPROCAL));
    register("Erf", 9, 21, new ActivationConverter(n -> Activation.ERF));
    register("Softplus", 1, 21, new ActivationConverter(n -> Activation.SOFTPLUS));
    register("HardSigmoid", 6, 21, new ActivationConverter(
        n -> new Activation.HardSigmoid((float) n.floatOr("alpha", 0.2f), (float) n.floatOr("beta", 0.5f))));
    register("HardSwish", 14, 21, ActivationConverter::hardSwish);
    register("Gelu", 20, 21, ActivationConverter::gelu);
    register("Neg", 6, 21, PiecewiseConverter::neg);
    register("Abs", 6, 21, PiecewiseConverter::abs);
    register("Sum", 8, 21, PiecewiseConverter::sum);
    register("Mean", 8, 21, PiecewiseConverter::mean);
    register("Max", 8, 21, PiecewiseConverter::max);
    register("Min", 8, 21, PiecewiseConverter::min);
    register("Elu", 6, 21, PiecewiseConverter::elu);
    register("Selu", 6, 21, PiecewiseConverter::selu);
    register("Celu", 12, 21, PiecewiseConverter::celu);
    register("Softsign", 1, 21, PiecewiseConverter::softsign);
    register("Mish", 18, 21, PiecewiseConverter::mish);
    register("Shrink", 9, 21, PiecewiseConverter::shrink);
    register("Tile", 6, 21, LayoutConverter::tile);
    register("Resize", 10, 21, new ResizeConverter());
    register("Upsample", 7, 9, new ResizeConverter());
    register("DepthToSpace", 11, 21, LayoutConverter::depthToSpace);
    register("SpaceToDepth", 1, 21, LayoutConverter::spaceToDepth);
    register("CumSum", 11, 21, LayoutConverter::cumSum);
    register("InstanceNormalization", 6, 21, LayerNormConverter::instance);
    register("LpNormalization", 1, 21, LayerNormConverter::lp);
    register("Softmax", 1, 21, new SoftmaxConverter(false));
    register("LogSoftmax", 1, 21, new SoftmaxConverter(true));
    register("LayerNormalization", 17, 21, new LayerNormConverter());
    register("ReduceMean", 1, 21, new ReduceConverter(ReduceConverter.Kind.MEAN));
    register("ReduceSum", 1, 21, new ReduceConverter(ReduceConverter.Kind.SUM));
    register("ReduceMax", 1, 21, new ReduceConverter(ReduceConverter.Kind.MAX));
    register("ReduceMin", 1, 21, new ReduceConverter(ReduceConverter.Kind.MIN));
    register("ReduceL1", 1, 21, new ReduceConverter(ReduceConverter.Kind.L1));
    register("ReduceL2", 1, 21, new ReduceConverter(ReduceConverter.Kind.L2));
    register("ReduceSumSquare", 1, 21, new ReduceConverter(ReduceConverter.Kind.SUM_SQUARE));
    register("ReduceLogSum", 1, 21, new ReduceConverter(ReduceConverter.Kind.LOG_SUM));
    register("ReduceLogSumExp", 1, 21, new ReduceConverter(ReduceConverter.Kind.LOG_SUM_EXP));
    register("Pow", 7, 21, new PowConverter());
    register("Split", 2, 21, new SplitConverter());
    register("Einsum", 12, 21, new EinsumConverter());
    register("RNN", 7, 21, new RecurrentConverter(RecurrentConverter.Cell.RNN));
    register("GRU", 7, 21, new RecurrentConverter(RecurrentConverter.Cell.GRU));
    register("LSTM", 7, 21, new RecurrentConverter(RecurrentConverter.Cell.LSTM));
    register("PRelu", 7, 21, new PReluConverter());
    register("Clip", 6, 21, new ClipConverter());
    register("Gemm", 7, 21, new GemmConverter());
    register("MatMul", 1, 21, new MatMulConverter());
    register("Add", 7, 21, new ElementwiseConverter(ElementwiseConverter.Kind.ADD));
    register("Sub", 7, 21, new ElementwiseConverter(ElementwiseConverter.Kind.SUB));
    register("Mul", 7, 21, new ElementwiseConverter(ElementwiseConverter.Kind.MUL));
    register("Div", 7, 21, new ElementwiseConverter(ElementwiseConverter.Kind.DIV));
    register("Conv", 1, 21, new ConvConverter());
    register("ConvTranspose", 1, 21, new ConvTransposeConverter());
    register("BatchNormalization", 7, 21, new BatchNormConverter());
    register("MaxPool", 7, 21, new MaxPoolConverter(false));
    register("GlobalMaxPool", 1, 21, new MaxPoolConverter(true));
    register("AveragePool", 7, 21, new AveragePoolConverter(false));
    register("GlobalAveragePool", 1, 21, new AveragePoolConverter(true));
    register("Pad", 2, 21, new PadConverter());
    register("Flatten", 1, 21, ReshapeConverter::flatten);
    register("Reshape", 5, 21, ReshapeConverter::reshape);
    register("Squeeze", 1, 21, ReshapeConverter::squeeze);
    register("Unsqueeze", 1, 21, ReshapeConverter::unsqueeze);
    register("Identity", 1, 21, ReshapeConverter::identity);
    register("Dropout", 7, 21, ReshapeConverter::dropout);
    register("Transpose", 1, 21, new TransposeConverter());
    register("Concat", 4, 21, new ConcatConverter());
    register("Slice", 1, 21, new SliceConverter());
    register("Constant", 1, 21, new ConstantConverter());
    register("Shape", 1, 21, ShapeArithmeticConverter::shape);
    register("Gather", 1, 21, ShapeArithmeticConverter::gather);
    register("Cast", 6, 21, ShapeArithmeticConverter::cast);
    register("ConstantOfShape", 9, 21, ShapeArithmeticConverter::constantOfShape);
    register("Expand", 8, 21, ShapeArithmeticConverter::expand);
    register("Equal", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a == b));
    register("Less", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a < b));
    register("Greater", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a > b));
    register("LessOrEqual", 12, 21, ShapeArithmeticConverter.relation((a, b) -> a <= b));
    register("GreaterOrEqual", 12, 21, ShapeArithmeticConverter.relation((a, b) -> a >= b));
    register("And", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a != 0 && b != 0));
    register("Or", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a != 0 || b != 0));
    register("Xor", 7, 21, ShapeArithmeticConverter.relation((a, b) -> a != 0 ^ b != 0));
    register("Not", 1, 21, ShapeArithmeticConverter::not);
    register("Size", 1, 21, ShapeArithmeticConverter::size);
    register("Sin", 7, 21, ShapeArithmeticConverter.constantOnly(Math::sin, false));
    register("Cos", 7, 21, ShapeArithmeticConverter.constantOnly(Math::cos, false));
    register("Floor", 6, 21, ShapeArithmeticConverter.constantOnly(Math::floor, true));
    register("Ceil", 6, 21, ShapeArithmeticConverter.constantOnly(Math::ceil, true));
    register("Round", 11, 21, ShapeArithmeticConverter.constantOnly(Math::rint, true)); // halves to even, as ONNX
    register("Sign", 9, 21, ShapeArithmeticConverter.constantOnly(Math::signum, true));
    register("Mod", 10, 21, ShapeArithmeticConverter::mod);
    register("Range", 11, 21, ShapeArithmeticConverter::range);
    register("Trilu", 14, 21, LayoutConverter::trilu);
    register("GatherElements", 11, 21, LayoutConverter::gatherElements);
    register("ReduceProd", 1, 21, new ReduceConverter(ReduceConverter.Kind.PROD));
    register("Where", 9, 21, ShapeArithmeticConverter::where);
  }

  private ConverterRegistry() {}

  private static void register(String op, int min, int max, OpConverter c) {
    if (ENTRIES.putIfAbsent(op, new Entry(op, min, max, c)) != null) {
      throw new IllegalStateException("op " + op + " registered twice");
    }
  }

  /** Supported ops by name, with their opset ranges. */
  public static Map<String, Entry> entries() {
    return Collections.unmodifiableMap(ENTRIES);
  }

  /** "Add, AveragePool, …" plus the trailing Softmax/LogSoftmax note, for refusal messages. */
  public static String supportedList() {
    return String.join(", ", ENTRIES.keySet()) + " (and a trailing Softmax/LogSoftmax, dropped)";
  }

  /** The converter for op at this opset, or a refusal naming the node. */
  static OpConverter lookup(OnnxNodeView n) {
    Entry e = ENTRIES.get(n.op());
    if (e == null) {
      throw n.error("op " + n.op() + " is not supported. Supported ops: " + supportedList()
          + ". If you need " + n.op() + ", file an issue with this model attached");
    }
    if (n.opset() < e.minOpset() || n.opset() > e.maxOpset()) {
      throw n.error("opset " + n.opset() + " is outside the range " + e.minOpset() + "\u2013" + e.maxOpset()
          + " supported for " + n.op() + "; re-export the model at an opset in that range, or file an issue");
    }
    return e.converter();
  }
}
