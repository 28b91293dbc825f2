package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * MatMul (2-D or with batched leading dimensions, numpy semantics): affine when one operand is
 * constant, a sum of product states when both depend on the input (attention's Q·Kᵀ and weights·V).
 */
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
    return List.of(bilinear(n, a, b, p));
  }

  /**
   * C = A·B with both factors input-dependent: each term A[l,i,t]·B[l,t,j] is a product state, and
   * C[l,i,j] sums its k terms exactly (m·n·k product states per leading index).
   */
  private static Affine bilinear(OnnxNodeView n, Affine a, Affine b, MatMuls.Plan p) {
    int[] lead = p.lead();
    int l = Tensor.sizeOf(lead);
    long terms = (long) l * p.m() * p.n() * p.k();
    n.context().reserveStates(2 * terms, n.name());
    int[] srcA = Shapes.broadcastSource(Arrays.copyOf(p.a(), p.a().length - 2), lead);
    int[] srcB = Shapes.broadcastSource(Arrays.copyOf(p.b(), p.b().length - 2), lead);
    int size = (int) terms;
    int[] fromA = new int[size];
    int[] fromB = new int[size];
    int[] into = new int[size];
    int q = 0;
    for (int s = 0; s < l; s++) {
      for (int i = 0; i < p.m(); i++) {
        for (int j = 0; j < p.n(); j++) {
          for (int t = 0; t < p.k(); t++, q++) {
            fromA[q] = (srcA[s] * p.m() + i) * p.k() + t;
            fromB[q] = (srcB[s] * p.k() + t) * p.n() + j;
            into[q] = (s * p.m() + i) * p.n() + j;
          }
        }
      }
    }
    int[] flat = {size};
    Affine prod = Nonlinear.product(n, a.map(CsrMatrix.selection(fromA, a.size()), flat), Activation.IDENTITY,
        b.map(CsrMatrix.selection(fromB, b.size()), flat), Activation.IDENTITY, n.outputName(0));
    int[] cols = new int[size];
    Arrays.setAll(cols, c -> c);
    CsrMatrix sum = CsrMatrix.fromTriples(l * p.m() * p.n(), size, into, cols, Nonlinear.filled(size, 1), size);
    return prod.map(sum, p.out());
  }
}
