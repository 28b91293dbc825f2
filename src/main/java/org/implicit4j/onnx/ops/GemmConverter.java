package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/** Gemm: Y = alpha · A' · B' + beta · C, A' = transA ? Aᵀ : A, B' likewise; one of A, B constant. */
public final class GemmConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    double alpha = (float) n.floatOr("alpha", 1.0f);
    double beta = (float) n.floatOr("beta", 1.0f);
    Affine a = TransposeConverter.transpose2d(n.input(0), n.intOr("transA", 0) != 0);
    Affine b = TransposeConverter.transpose2d(n.input(1), n.intOr("transB", 0) != 0);
    if (a.rank() != 2 || b.rank() != 2) {
      throw n.error("Gemm needs 2-D A and B, got " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
    }
    MatMuls.Plan p = MatMuls.plan(n, a.shape(), b.shape());
    Affine y;
    if (b.isConstant()) {
      y = a.isConstant() ? Affine.constant(p.out(), scale(MatMuls.multiply(p, a.bias(), b.bias()), alpha))
          : a.map(MatMuls.rightConstant(p, b.bias(), alpha), p.out());
    } else if (a.isConstant()) {
      y = b.map(MatMuls.leftConstant(p, a.bias(), alpha), p.out());
    } else {
      throw n.unsupported("Gemm of two tensors that both depend on the input (bilinear, not affine)");
    }
    if (n.hasInput(2)) {
      Tensor c = n.constant(2, "C (bias)");
      if (Shapes.broadcast(c.shape(), p.out()) == null) {
        throw n.error("C of shape " + Shapes.str(c.shape()) + " does not broadcast to " + Shapes.str(p.out()));
      }
      y = y.plusConstant(scale(Shapes.expand(c.data(), c.shape(), p.out()), beta));
    }
    return List.of(y);
  }

  private static double[] scale(double[] v, double s) {
    double[] r = v.clone();
    for (int i = 0; i < r.length; i++) {
      r[i] *= s;
    }
    return r;
  }
}
