package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/** MatMul with one constant operand (2-D or with batched leading dimensions), numpy semantics. */
public final class MatMulConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine a = n.input(0);
    Affine b = n.input(1);
    MatMuls.Plan p = MatMuls.plan(n, a.shape(), b.shape());
    if (b.isConstant()) {
      if (a.isConstant()) {
        return List.of(Affine.constant(p.out(), MatMuls.multiply(p, a.bias(), b.bias())));
      }
      return List.of(a.map(MatMuls.rightConstant(p, b.bias(), 1), p.out()));
    }
    if (a.isConstant()) {
      return List.of(b.map(MatMuls.leftConstant(p, a.bias(), 1), p.out()));
    }
    throw n.unsupported("a product of two tensors that both depend on the input (bilinear, not affine)");
  }
}
