package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/** Concat along any axis: each input embedded by a sparse 0/1 map, then summed. */
public final class ConcatConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    List<Affine> in = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) {
      in.add(n.input(i));
    }
    int rank = in.get(0).rank();
    int axis = Shapes.axis(n.intOr("axis", n.opset() < 4 ? 1 : Long.MIN_VALUE), rank, n);
    int[] out = in.get(0).shape();
    int total = 0;
    for (Affine a : in) {
      if (a.rank() != rank) {
        throw n.error("inputs of ranks " + rank + " and " + a.rank());
      }
      for (int d = 0; d < rank; d++) {
        if (d != axis && a.shape()[d] != out[d]) {
          throw n.error("input shapes " + Shapes.str(out) + " and " + Shapes.str(a.shape()) + " differ off axis " + axis);
        }
      }
      total += a.shape()[axis];
    }
    out[axis] = total;
    return List.of(concat(in, axis, out));
  }

  /** Concatenation of values along {@code axis} into {@code out}. */
  static Affine concat(List<Affine> in, int axis, int[] out) {
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= out[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < out.length; d++) {
      inner *= out[d];
    }
    int size = Tensor.sizeOf(out);
    Affine acc = null;
    int offset = 0;
    boolean integer = true;
    for (Affine a : in) {
      int len = a.shape()[axis];
      int[] src = new int[size];
      java.util.Arrays.fill(src, -1);
      for (int o = 0; o < outer; o++) {
        for (int k = 0; k < len; k++) {
          for (int i = 0; i < inner; i++) {
            src[(o * out[axis] + offset + k) * inner + i] = (o * len + k) * inner + i;
          }
        }
      }
      Affine e = a.map(CsrMatrix.selection(src, a.size()), out);
      acc = acc == null ? e : acc.plus(e);
      integer &= a.integer();
      offset += len;
    }
    return integer ? new Affine(out, acc.terms(), acc.bias(), true) : acc;
  }

  /** Values of equal size stacked into a new leading axis. */
  static Affine stack(List<Affine> parts, int[] out) {
    List<Affine> flat = new ArrayList<>();
    for (Affine p : parts) {
      flat.add(p.reshape(new int[] {1, p.size()}));
    }
    return concat(flat, 0, new int[] {parts.size(), parts.get(0).size()}).reshape(out);
  }
}
