package org.implicit4j;

import ai.onnx.proto.OnnxMl;
import java.util.Random;

/**
 * ONNX protobuf builders for hand-written test graphs, independent of the exporter under test
 * (export.GraphWriter) so that its tests do not check it with itself.
 */
public final class OnnxGraphs {
  private OnnxGraphs() {}

  /** A float tensor of the given dims, entries N(0, scale²) from {@code r}. */
  public static OnnxMl.TensorProto gaussian(String name, Random r, double scale, long... dims) {
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1);
    long n = 1;
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    for (long i = 0; i < n; i++) {
      t.addFloatData((float) (r.nextGaussian() * scale));
    }
    return t.build();
  }

  /** A float value info; each dim an Integer (fixed) or a String (symbolic). */
  public static OnnxMl.ValueInfoProto floatInfo(String name, Object... dims) {
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

  public static OnnxMl.AttributeProto ints(String name, long... v) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  public static OnnxMl.AttributeProto intAttr(String name, long v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v)
        .build();
  }

  public static OnnxMl.AttributeProto floatAttr(String name, float v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(v)
        .build();
  }

  public static OnnxMl.AttributeProto stringAttr(String name, String v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  public static OnnxMl.AttributeProto stringsAttr(String name, String... v) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.STRINGS);
    for (String x : v) {
      a.addStrings(com.google.protobuf.ByteString.copyFromUtf8(x));
    }
    return a.build();
  }
}
