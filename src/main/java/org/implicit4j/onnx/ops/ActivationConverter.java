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

  /**
   * Gelu (opset 20): x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)), or with approximate="tanh"
   * ½x(1 + tanh(√(2/π)(x + 0.044715x³))). Φ is an erf (or tanh) state, the products are product states.
   */
  public static List<Affine> gelu(OnnxNodeView n) {
    Affine x = n.input(0);
    String mode = n.stringOr("approximate", "none");
    Affine inner;
    Activation phi;
    if (mode.equals("none")) {
      inner = x.times(Nonlinear.filled(x.size(), 1 / Math.sqrt(2)));
      phi = Activation.ERF;
    } else if (mode.equals("tanh")) {
      Affine sq = Nonlinear.product(n, x, Activation.IDENTITY, x, Activation.IDENTITY, n.outputName(0) + "/square");
      Affine cube = Nonlinear.product(n, sq, Activation.IDENTITY, x, Activation.IDENTITY, n.outputName(0) + "/cube");
      double c = Math.sqrt(2 / Math.PI);
      inner = x.plus(cube.times(Nonlinear.filled(x.size(), 0.044715))).times(Nonlinear.filled(x.size(), c));
      phi = Activation.TANH;
    } else {
      throw n.unsupported("Gelu approximate='" + mode + "'");
    }
    Affine cdf = apply(n, inner, phi, n.outputName(0) + "/cdf").times(Nonlinear.filled(x.size(), 0.5))
        .plusConstant(Nonlinear.filled(x.size(), 0.5));
    return List.of(Nonlinear.product(n, x, Activation.IDENTITY, cdf, Activation.IDENTITY, n.outputName(0)));
  }

  /**
   * φ(v): folded when v is constant, else a new state block called {@code name}. The block is
   * recorded as reproducing an ONNX tensor (for per-layer verification) only when {@code name} is
   * one of the node's outputs; internal blocks (e.g. "…/exp", "…#max2") reproduce none.
   */
  static Affine apply(OnnxNodeView n, Affine v, Activation act, String name) {
    if (v.isConstant()) {
      double[] b = v.bias().clone();
      for (int i = 0; i < b.length; i++) {
        b[i] = act.apply(b[i]);
      }
      return Affine.constant(v.shape(), b);
    }
    return n.context().newState(name, v, act, n.producesTensor(name) ? name : null);
  }
}
