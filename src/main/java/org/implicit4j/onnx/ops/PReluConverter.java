package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * PRelu with a constant slope: a uniform slope is LeakyRelu(slope); a per-channel slope is exact
 * with two ReLU blocks, prelu(z) = relu(z) − slope ⊙ relu(−z).
 */
public final class PReluConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    Tensor slope = n.constant(1, "slope");
    if (Shapes.broadcast(x.shape(), slope.shape()) == null) {
      throw n.error("slope shape " + Shapes.str(slope.shape()) + " does not broadcast to " + Shapes.str(x.shape()));
    }
    double[] s = Shapes.expand(slope.data(), slope.shape(), x.shape());
    boolean uniform = true;
    for (double v : s) {
      uniform &= v == s[0];
    }
    if (uniform || x.isConstant()) {
      if (x.isConstant()) {
        double[] b = x.bias().clone();
        for (int i = 0; i < b.length; i++) {
          b[i] = b[i] >= 0 ? b[i] : s[i] * b[i];
        }
        return List.of(Affine.constant(x.shape(), b));
      }
      return List.of(n.context().newState(n.outputName(0), x, Activation.leakyRelu(s.length == 0 ? 0 : s[0]),
          n.outputName(0)));
    }
    Affine pos = n.context().newState(n.outputName(0) + "#pos", x, Activation.RELU, null);
    Affine neg = n.context().newState(n.outputName(0) + "#neg", x.negate(), Activation.RELU, null);
    double[] negSlope = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      negSlope[i] = -s[i];
    }
    return List.of(pos.plus(neg.times(negSlope)));
  }
}
