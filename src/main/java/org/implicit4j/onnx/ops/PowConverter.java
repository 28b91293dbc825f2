package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;

/**
 * Pow with a constant scalar exponent p: p = 1 is the identity, p = 2 (and 3, 4) products of the
 * base with itself, p = 0.5, −0.5 and −1 the sqrt, rsqrt and reciprocal activations. Other exponents
 * are refused by name.
 */
public final class PowConverter implements org.implicit4j.onnx.OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    double[] e = n.constant(1, "exponent").data();
    for (double v : e) {
      if (v != e[0]) {
        throw n.unsupported("Pow with an exponent that varies by element");
      }
    }
    if (x.isConstant()) {
      double[] r = x.bias().clone();
      for (int i = 0; i < r.length; i++) {
        r[i] = Math.pow(r[i], e[0]);
      }
      boolean integer = x.integer() && e[0] >= 0 && e[0] == Math.rint(e[0]); // shape arithmetic stays integer
      return List.of(new Affine(x.shape(), java.util.Map.of(), r, integer));
    }
    return List.of(power(n, x, e[0]));
  }

  private static Affine power(OnnxNodeView n, Affine x, double p) {
    String name = n.outputName(0);
    if (p == 1) {
      return x;
    }
    if (p == 0.5 || p == -0.5 || p == -1) {
      Activation phi = p == 0.5 ? Activation.SQRT : p == -0.5 ? Activation.RSQRT : Activation.RECIPROCAL;
      return ActivationConverter.apply(n, x, phi, name);
    }
    if (p == 2 || p == 3 || p == 4) {
      Affine sq = Nonlinear.product(n, x, Activation.IDENTITY, x, Activation.IDENTITY, p == 2 ? name : name + "/square");
      if (p == 2) {
        return sq;
      }
      Affine other = p == 3 ? x : sq;
      return Nonlinear.product(n, sq, Activation.IDENTITY, other, Activation.IDENTITY, name);
    }
    throw n.unsupported("Pow with exponent " + p + " (supported: 0.5, -0.5, -1, 1, 2, 3, 4)");
  }
}
