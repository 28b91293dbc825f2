package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.Floats;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Tensor;

/** Constant: its value attribute (tensor, or value_float(s)/value_int(s)) as a constant value. */
public final class ConstantConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Tensor t = n.tensorAttr("value");
    if (t == null) {
      if (n.has("value_float")) {
        t = new Tensor(new int[0], new double[] {n.floatOr("value_float", 0)}, false);
      } else if (n.has("value_int")) {
        t = new Tensor(new int[0], new double[] {n.intOr("value_int", 0)}, true);
      } else if (n.has("value_floats")) {
        float[] f = n.floats("value_floats");
        t = new Tensor(new int[] {f.length}, Floats.widened(f, 0, f.length), false);
      } else if (n.has("value_ints")) {
        long[] l = n.ints("value_ints");
        double[] d = new double[l.length];
        for (int i = 0; i < l.length; i++) {
          d[i] = l[i];
        }
        t = new Tensor(new int[] {l.length}, d, true);
      } else {
        throw n.unsupported("a Constant without a numeric value attribute");
      }
    }
    for (double v : t.data()) {
      if (!Double.isFinite(v)) {
        throw n.error("constant holds NaN or infinity");
      }
    }
    return List.of(Affine.constant(t));
  }
}
