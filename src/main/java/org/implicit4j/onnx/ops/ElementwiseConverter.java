package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;

/**
 * Add, Sub (any two values, broadcasting), Mul, Div. Mul and Div by a constant are affine; between
 * two input-dependent tensors they are product states a ⊙ b and a ⊙ (1/b) (§7). With two constants
 * the result is computed, with integer division for integer tensors.
 */
public final class ElementwiseConverter implements OpConverter {
  /** The four ops. */
  public enum Kind { ADD, SUB, MUL, DIV }

  private final Kind kind;

  public ElementwiseConverter(Kind kind) {
    this.kind = kind;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine a = n.input(0);
    Affine b = n.input(1);
    int[] out = Shapes.broadcast(a.shape(), b.shape());
    if (out == null) {
      throw n.error("shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " do not broadcast");
    }
    if (n.opset() < 7 && n.has("broadcast")) {
      throw n.unsupported("legacy broadcast attribute");
    }
    a = Shapes.expand(a, out);
    b = Shapes.expand(b, out);
    if (a.isConstant() && b.isConstant()) {
      if (kind == Kind.DIV && a.integer() && b.integer()) {
        for (double d : b.bias()) {
          if (d == 0) {
            throw n.error("integer division by zero in constant shape arithmetic");
          }
        }
      }
      return List.of(fold(kind, a, b, out));
    }
    return List.of(switch (kind) {
      case ADD -> a.plus(b);
      case SUB -> a.minus(b);
      case MUL -> {
        if (b.isConstant()) {
          yield a.times(b.bias());
        }
        if (a.isConstant()) {
          yield b.times(a.bias());
        }
        yield Nonlinear.product(n, a, Activation.IDENTITY, b, Activation.IDENTITY, n.outputName(0));
      }
      case DIV -> {
        if (!b.isConstant()) {
          yield Nonlinear.product(n, a, Activation.IDENTITY, b, Activation.RECIPROCAL, n.outputName(0));
        }
        double[] inv = b.bias().clone();
        for (int i = 0; i < inv.length; i++) {
          if (inv[i] == 0) {
            throw n.error("division by a constant zero at element " + i);
          }
          inv[i] = 1 / inv[i];
        }
        yield a.times(inv);
      }
    });
  }

  private static Affine fold(Kind op, Affine a, Affine b, int[] out) {
    double[] x = a.bias();
    double[] y = b.bias();
    double[] r = new double[x.length];
    boolean integer = a.integer() && b.integer();
    for (int i = 0; i < r.length; i++) {
      r[i] = switch (op) {
        case ADD -> x[i] + y[i];
        case SUB -> x[i] - y[i];
        case MUL -> x[i] * y[i];
        case DIV -> integer ? (double) ((long) x[i] / (long) y[i]) : x[i] / y[i];
      };
    }
    return new Affine(out, java.util.Map.of(), r, integer);
  }
}
