package org.implicit4j.export;

import ai.onnx.proto.OnnxMl;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Emits nodes into one ONNX graph (the main graph or a Loop body) and constants into the main
 * graph's initializers, with unique tensor names shared across both.
 */
final class GraphWriter {
  final OnnxMl.GraphProto.Builder graph;
  private final OnnxMl.GraphProto.Builder initializers;
  private final AtomicInteger counter;
  private final String prefix;

  GraphWriter(OnnxMl.GraphProto.Builder graph, OnnxMl.GraphProto.Builder initializers, AtomicInteger counter,
      String prefix) {
    this.graph = graph;
    this.initializers = initializers;
    this.counter = counter;
    this.prefix = prefix;
  }

  String fresh(String hint) {
    return prefix + hint + "_" + counter.getAndIncrement();
  }

  String floats(String hint, double[] v, long... dims) {
    String name = fresh(hint);
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1);
    for (long d : dims) {
      t.addDims(d);
    }
    for (double x : v) {
      t.addFloatData((float) x);
    }
    initializers.addInitializer(t);
    return name;
  }

  String longs(String hint, long[] v, long... dims) {
    String name = fresh(hint);
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7);
    for (long d : dims) {
      t.addDims(d);
    }
    for (long x : v) {
      t.addInt64Data(x);
    }
    initializers.addInitializer(t);
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  String node(String op, String[] inputs, OnnxMl.AttributeProto... attrs) {
    String out = fresh(op.toLowerCase());
    OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(out);
    for (String in : inputs) {
      n.addInput(in);
    }
    n.addOutput(out);
    for (OnnxMl.AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return out;
  }

  static OnnxMl.AttributeProto ints(String name, long... v) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static OnnxMl.AttributeProto intAttr(String name, long v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
  }

  static OnnxMl.AttributeProto floatAttr(String name, double v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
        .setF((float) v).build();
  }

  static OnnxMl.ValueInfoProto floatInfo(String name, Object... dims) {
    OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
    for (Object d : dims) {
      if (d instanceof Integer i) {
        s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(i));
      } else {
        s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
      }
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
  }
}
