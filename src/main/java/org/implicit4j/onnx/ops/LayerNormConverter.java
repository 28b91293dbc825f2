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
    return List.of(y, norm.mean(), ActivationConverter.apply(n, norm.varianceEps(), Activation.RSQRT, n.outputName(2)));
  }

  /**
   * InstanceNormalization: per sample and channel, (x − μ)/√(σ² + ε) over the spatial axes, then
   * the per-channel scale and bias.
   */
  public static List<Affine> instance(OnnxNodeView n) {
    Affine x = n.input(0);
    if (x.rank() < 3) {
      throw n.error("input of shape " + Shapes.str(x.shape()) + "; expected [N, C, spatial…]");
    }
    Affine y = Nonlinear.normalise(n, x, Nonlinear.tail(2, x.rank()), n.floatOr("epsilon", 1e-5), n.outputName(0)).y();
    y = y.times(ConvConverter.perChannel(n.constant(1, "scale").data(), x.shape()));
    return List.of(y.plusConstant(ConvConverter.perChannel(n.constant(2, "B").data(), x.shape())));
  }

  /** LpNormalization: x / ‖x‖_p along one axis, p = 2 (rsqrt of a sum of squares) or 1 (reciprocal of Σ|x|). */
  public static List<Affine> lp(OnnxNodeView n) {
    Affine x = n.input(0);
    int[] axes = {Shapes.axis(n.intOr("axis", -1), x.rank(), n)};
    long p = n.intOr("p", 2);
    String name = n.outputName(0);
    if (p == 2) {
      Affine sq = Nonlinear.product(n, x, Activation.IDENTITY, x, Activation.IDENTITY, name + "/square");
      Affine norm2 = Shapes.expand(Nonlinear.reduce(sq, axes, false), x.shape());
      return List.of(Nonlinear.product(n, x, Activation.IDENTITY, norm2, Activation.RSQRT, name));
    }
    if (p == 1) {
      Affine norm1 = Shapes.expand(Nonlinear.reduce(PiecewiseConverter.absValue(n, x, name + "/abs").get(0), axes,
          false), x.shape());
      return List.of(Nonlinear.product(n, x, Activation.IDENTITY, norm1, Activation.RECIPROCAL, name));
    }
    throw n.unsupported("LpNormalization with p = " + p + " (1 and 2 are supported)");
  }
}
