package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * Clip(z, lo, hi), exact with ReLU states: lo + relu(z − lo) − relu(z − hi) (ReLU6 is lo = 0,
 * hi = 6); with one bound only, lo + relu(z − lo) or z − relu(z − hi).
 */
public final class ClipConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    double lo;
    double hi;
    if (n.opset() < 11) {
      lo = n.floatOr("min", Double.NEGATIVE_INFINITY);
      hi = n.floatOr("max", Double.POSITIVE_INFINITY);
    } else {
      lo = n.hasInput(1) ? scalar(n, 1, "min") : Double.NEGATIVE_INFINITY;
      hi = n.hasInput(2) ? scalar(n, 2, "max") : Double.POSITIVE_INFINITY;
    }
    Affine z = n.input(0);
    if (z.isConstant()) {
      double[] b = z.bias().clone();
      for (int i = 0; i < b.length; i++) {
        b[i] = Math.min(hi, Math.max(lo, b[i]));
      }
      return List.of(Affine.constant(z.shape(), b));
    }
    if (lo > hi) {
      // ONNX: min > max sets every output to max.
      return List.of(Affine.constant(z.shape(), filled(z.size(), hi)));
    }
    Affine out = null;
    if (Double.isFinite(lo)) {
      Affine r = n.context().newState(n.outputName(0) + "#lo", z.plusConstant(filled(z.size(), -lo)), Activation.RELU, null);
      out = r.plusConstant(filled(z.size(), lo));
    }
    if (Double.isFinite(hi)) {
      Affine r = n.context().newState(n.outputName(0) + "#hi", z.plusConstant(filled(z.size(), -hi)), Activation.RELU, null);
      out = (out == null ? z : out).minus(r);
    }
    return List.of(out == null ? z : out);
  }

  private static double scalar(OnnxNodeView n, int i, String role) {
    double[] d = n.constant(i, role).data();
    if (d.length != 1) {
      throw n.error(role + " must be a scalar, got " + d.length + " values");
    }
    return d[0];
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }
}
