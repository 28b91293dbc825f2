package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Tensor;

/**
 * BatchNormalization in inference form, folded into the affine map:
 * y = γ (x − μ)/√(σ² + ε) + β per channel (axis 1), for 2-D and N-D inputs.
 */
public final class BatchNormConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    if (n.intOr("training_mode", 0) != 0) {
      throw n.unsupported("training_mode=1 (batch statistics)");
    }
    if (n.opset() < 9 && n.intOr("spatial", 1) != 1) {
      throw n.unsupported("spatial=0");
    }
    Affine x = n.input(0);
    if (x.rank() < 2) {
      throw n.error("input of rank " + x.rank() + " has no channel axis");
    }
    double eps = (float) n.floatOr("epsilon", 1e-5f);
    int c = x.shape()[1];
    double[] gamma = check(n, n.constant(1, "scale"), c, "scale");
    double[] beta = check(n, n.constant(2, "B"), c, "B");
    double[] mean = check(n, n.constant(3, "mean"), c, "mean");
    double[] var = check(n, n.constant(4, "var"), c, "var");
    double[] factor = new double[c];
    double[] shift = new double[c];
    for (int k = 0; k < c; k++) {
      factor[k] = gamma[k] / Math.sqrt(var[k] + eps);
      shift[k] = beta[k] - mean[k] * factor[k];
    }
    return List.of(x.times(ConvConverter.perChannel(factor, x.shape()))
        .plusConstant(ConvConverter.perChannel(shift, x.shape())));
  }

  private static double[] check(OnnxNodeView n, Tensor t, int c, String role) {
    if (t.size() != c) {
      throw n.error(role + " has " + t.size() + " values for " + c + " channels");
    }
    return t.data();
  }
}
