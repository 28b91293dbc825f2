package org.implicit4j.onnx.ops;

import java.util.List;
import java.util.function.Function;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * Relu, LeakyRelu, Sigmoid, Tanh, Exp, Log, Sqrt, Reciprocal, Erf, Softplus, HardSigmoid: each output
 * becomes a state block x = φ(input). HardSwish is a product state.
 */
public final class ActivationConverter implements OpConverter {
  private final Function<OnnxNodeView, Activation> activation;

  /** @param activation the node's φ (read from its attributes where it has any) */
  public ActivationConverter(Function<OnnxNodeView, Activation> activation) {
    this.activation = activation;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    return List.of(apply(n, n.input(0), activation.apply(n), n.outputName(0)));
  }

  /**
   * HardSwish(x) = x · max(0, min(1, x/6 + 1/2)): one product state of the identity and the hard
   * sigmoid of the same preactivation.
   */
  public static List<Affine> hardSwish(OnnxNodeView n) {
    Affine x = n.input(0);
    return List.of(Nonlinear.product(n, x, Activation.IDENTITY, x, new Activation.HardSigmoid(1.0 / 6, 0.5),
        n.outputName(0)));
  }

  /** φ(v): folded when v is constant, else a new state block named after the tensor. */
  static Affine apply(OnnxNodeView n, Affine v, Activation act, String tensor) {
    if (v.isConstant()) {
      double[] b = v.bias().clone();
      for (int i = 0; i < b.length; i++) {
        b[i] = act.apply(b[i]);
      }
      return Affine.constant(v.shape(), b);
    }
    return n.context().newState(tensor, v, act, tensor);
  }
}
