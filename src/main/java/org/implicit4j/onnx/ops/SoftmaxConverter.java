package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;

/**
 * Softmax and LogSoftmax inside a network (a trailing one is left out of ŷ by the importer). From
 * opset 13 along one axis (default −1); before, over all axes from {@code axis} (default 1) on, as
 * the input flattened to 2-D. Lowered exactly to e^z, a sum and a reciprocal product (§7).
 */
public final class SoftmaxConverter implements org.implicit4j.onnx.OpConverter {
  private final boolean log;

  /** @param log LogSoftmax rather than Softmax */
  public SoftmaxConverter(boolean log) {
    this.log = log;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    int rank = x.rank();
    int axis = Shapes.axis(n.intOr("axis", n.opset() < 13 ? 1 : -1), rank, n);
    int[] axes = n.opset() < 13 ? Nonlinear.tail(axis, rank) : new int[] {axis};
    if (x.isConstant()) {
      throw n.unsupported("a Softmax of a constant (fold it before export)");
    }
    return List.of(Nonlinear.softmax(n, x, axes, log, n.outputName(0)));
  }
}
