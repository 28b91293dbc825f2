package org.implicit4j.onnx;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX node as converters see it: typed attribute access with the spec's defaults given at the
 * call site, its inputs as lowered values, and errors that name the node, its op and the opset.
 */
public final class OnnxNodeView {
  private final OnnxMl.NodeProto node;
  private final int opset;
  private final LowerContext cx;
  private final Map<String, OnnxMl.AttributeProto> attrs = new HashMap<>();

  OnnxNodeView(OnnxMl.NodeProto node, int opset, LowerContext cx) {
    this.node = node;
    this.opset = opset;
    this.cx = cx;
    for (OnnxMl.AttributeProto a : node.getAttributeList()) {
      attrs.put(a.getName(), a);
    }
  }

  public String op() { return node.getOpType(); }

  public String name() { return node.getName().isEmpty() ? node.getOutput(0) : node.getName(); }

  public int opset() { return opset; }

  public LowerContext context() { return cx; }

  /** "node 'conv1' (Conv, opset 13)" — how errors refer to this node. */
  public String describe() {
    return "node '" + name() + "' (" + op() + ", opset " + opset + ")";
  }

  /** An error about this node: "FILE: node 'n' (Op, opset k): reason". */
  public ImportException error(String reason) {
    return new ImportException(cx.source() + ": " + describe() + ": " + reason);
  }

  /** A refusal of a case this converter does not handle. */
  public ImportException unsupported(String what) {
    return error(what + " is not supported; file an issue with this model if you need it");
  }

  public int inputCount() {
    int n = node.getInputCount();
    while (n > 0 && node.getInput(n - 1).isEmpty()) {
      n--;
    }
    return n;
  }

  public boolean hasInput(int i) {
    return i < node.getInputCount() && !node.getInput(i).isEmpty();
  }

  public String inputName(int i) { return node.getInput(i); }

  public String outputName(int i) { return node.getOutput(i); }

  public int outputCount() { return node.getOutputCount(); }

  /** Whether {@code tensor} is one of this node's (named) outputs. */
  public boolean producesTensor(String tensor) {
    return !tensor.isEmpty() && node.getOutputList().contains(tensor);
  }

  /** The lowered value of input i. */
  public Affine input(int i) {
    if (!hasInput(i)) {
      throw error("input " + i + " is missing");
    }
    return cx.value(node.getInput(i), this);
  }

  /** Input i, which must be a constant (an initializer or something folded from one). */
  public Tensor constant(int i, String role) {
    Affine a = input(i);
    if (!a.isConstant()) {
      throw unsupported(role + " (input " + i + " '" + node.getInput(i) + "') that depends on the model input");
    }
    return a.asTensor();
  }

  public boolean has(String attr) { return attrs.containsKey(attr); }

  public long intOr(String name, long def) {
    OnnxMl.AttributeProto a = attrs.get(name);
    return a == null ? def : a.getI();
  }

  public double floatOr(String name, double def) {
    OnnxMl.AttributeProto a = attrs.get(name);
    return a == null ? def : a.getF();
  }

  public String stringOr(String name, String def) {
    OnnxMl.AttributeProto a = attrs.get(name);
    return a == null ? def : a.getS().toStringUtf8();
  }

  /** An ints attribute, or null when absent. */
  public long[] ints(String name) {
    OnnxMl.AttributeProto a = attrs.get(name);
    if (a == null) {
      return null;
    }
    List<Long> l = a.getIntsList();
    long[] r = new long[l.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = l.get(i);
    }
    return r;
  }

  public int[] intsOr(String name, int[] def) {
    long[] l = ints(name);
    if (l == null) {
      return def;
    }
    int[] r = new int[l.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.toIntExact(l[i]);
    }
    return r;
  }

  /** A strings attribute, or null when absent. */
  public String[] strings(String name) {
    OnnxMl.AttributeProto a = attrs.get(name);
    if (a == null) {
      return null;
    }
    String[] r = new String[a.getStringsCount()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.getStrings(i).toStringUtf8();
    }
    return r;
  }

  public float[] floats(String name) {
    OnnxMl.AttributeProto a = attrs.get(name);
    if (a == null) {
      return null;
    }
    float[] r = new float[a.getFloatsCount()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.getFloats(i);
    }
    return r;
  }

  /** A tensor attribute (Constant's value), decoded. */
  public Tensor tensorAttr(String name) {
    OnnxMl.AttributeProto a = attrs.get(name);
    if (a == null) {
      return null;
    }
    try {
      return OnnxTensors.decode(a.getT(), cx.modelDir(), describe() + " attribute '" + name + "'");
    } catch (IOException e) {
      throw error("cannot read attribute '" + name + "': " + e.getMessage());
    }
  }

}
