package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;

/**
 * ReduceMean and ReduceSum: exact linear maps. Axes come from the attribute (ReduceSum before opset
 * 13, ReduceMean before 18) or from a constant second input; none given means all axes, unless
 * {@code noop_with_empty_axes} makes the op the identity.
 */
public final class ReduceConverter implements org.implicit4j.onnx.OpConverter {
  private final boolean mean;

  /** @param mean ReduceMean rather than ReduceSum */
  public ReduceConverter(boolean mean) {
    this.mean = mean;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    long[] given = axesInput(n) ? n.constant(1, "axes").longs() : n.ints("axes");
    if (given == null || given.length == 0) {
      if (n.intOr("noop_with_empty_axes", 0) != 0) {
        return List.of(x);
      }
      given = new long[x.rank()];
      for (int d = 0; d < given.length; d++) {
        given[d] = d;
      }
    }
    int[] axes = new int[given.length];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = Shapes.axis(given[i], x.rank(), n);
    }
    return List.of(Nonlinear.reduce(x, axes, n.intOr("keepdims", 1) != 0, mean));
  }

  private boolean axesInput(OnnxNodeView n) {
    int since = mean ? 18 : 13;
    return n.opset() >= since && n.hasInput(1);
  }
}
