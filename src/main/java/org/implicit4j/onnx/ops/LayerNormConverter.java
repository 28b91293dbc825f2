package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;

/**
 * LayerNormalization (opset 17): y = (x − μ)/√(σ² + ε) ⊙ scale + bias over the axes from
 * {@code axis} on. The square and the scaled quotient are product states; μ and σ² are exact sums.
 * The optional Mean and InvStdDev outputs (reduced axes kept as 1) are μ and 1/√(σ² + ε).
 */
public final class LayerNormConverter implements org.implicit4j.onnx.OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    if (n.intOr("stash_type", 1) != 1) {
      throw n.unsupported("stash_type " + n.intOr("stash_type", 1));
    }
    Affine x = n.input(0);
    int axis = Shapes.axis(n.intOr("axis", -1), x.rank(), n);
    int[] axes = Nonlinear.tail(axis, x.rank());
    Nonlinear.Normalised norm = Nonlinear.normalise(n, x, axes, n.floatOr("epsilon", 1e-5), n.outputName(0));
    Affine y = norm.y();
    y = y.times(Shapes.expand(n.constant(1, "Scale").data(), n.input(1).shape(), x.shape()));
    if (n.hasInput(2)) {
      y = y.plusConstant(Shapes.expand(n.constant(2, "B").data(), n.input(2).shape(), x.shape()));
    }
    if (n.outputCount() < 3 || n.outputName(2).isEmpty()) {
      return List.of(y, norm.mean());
    }
    return List.of(y, norm.mean(), Nonlinear.unary(n, norm.varianceEps(), Activation.RSQRT, n.outputName(2)));
  }
}
