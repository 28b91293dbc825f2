package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * The Reduce family. ReduceSum and ReduceMean are exact linear maps; ReduceMax and ReduceMin are
 * balanced trees of b + relu(a − b) (a − relu(a − b)), exact as MaxPool's; ReduceProd a tree of
 * product states; ReduceL1 sums |x| =
 * relu(x) + relu(−x); ReduceSumSquare sums products x ⊙ x, ReduceL2 takes its sqrt; ReduceLogSum
 * and ReduceLogSumExp take a log state of a sum (of exponentials, shifted by the mean). Axes come
 * from the attribute (before opset 18; ReduceSum before 13) or a constant second input; none given
 * means all axes, unless {@code noop_with_empty_axes} makes the op the identity.
 */
public final class ReduceConverter implements org.implicit4j.onnx.OpConverter {
  /** The reductions, with the opset from which their axes are an input. */
  public enum Kind {
    SUM(13), MEAN(18), MAX(18), MIN(18), PROD(18), L1(18), L2(18), SUM_SQUARE(18), LOG_SUM(18), LOG_SUM_EXP(18);

    final int axesInputSince;

    Kind(int axesInputSince) {
      this.axesInputSince = axesInputSince;
    }
  }

  private final Kind kind;

  public ReduceConverter(Kind kind) {
    this.kind = kind;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    boolean input = n.opset() >= kind.axesInputSince;
    long[] given = input ? (n.hasInput(1) ? n.constant(1, "axes").longs() : null) : n.ints("axes");
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
    boolean keep = n.intOr("keepdims", 1) != 0;
    Affine y = reduce(n, x, axes);
    return List.of(keep ? y : y.reshape(dropped(x.shape(), axes)));
  }

  /** The reduction with the reduced axes kept as 1. */
  private Affine reduce(OnnxNodeView n, Affine x, int[] axes) {
    String name = n.outputName(0);
    return switch (kind) {
      case SUM -> Nonlinear.reduce(x, axes, false);
      case MEAN -> Nonlinear.reduce(x, axes, true);
      case MAX, MIN, PROD -> tree(n, x, axes, kind);
      case L1 -> {
        List<Affine> abs = PiecewiseConverter.absValue(n, x, name + "/abs");
        yield Nonlinear.reduce(abs.get(0), axes, false);
      }
      case SUM_SQUARE, L2 -> {
        Affine sq = Nonlinear.product(n, x, Activation.IDENTITY, x, Activation.IDENTITY, name + "/square");
        Affine s = Nonlinear.reduce(sq, axes, false);
        yield kind == Kind.L2 ? ActivationConverter.apply(n, s, Activation.SQRT, name) : s;
      }
      case LOG_SUM -> ActivationConverter.apply(n, Nonlinear.reduce(x, axes, false), Activation.LOG, name);
      case LOG_SUM_EXP -> {
        // log Σ e^x = m + log Σ e^{x − m} with m the mean: exact, and e^{x − m} stays finite.
        Affine mean = Nonlinear.reduce(x, axes, true);
        Affine z = x.minus(Shapes.expand(mean, x.shape()));
        Affine e = ActivationConverter.apply(n, z, Activation.EXP, name + "/exp");
        yield mean.plus(ActivationConverter.apply(n, Nonlinear.reduce(e, axes, false), Activation.LOG, name + "/log"));
      }
    };
  }

  /** Max, min or product over the axes: the k values of each output as selections, folded by a tree. */
  private static Affine tree(OnnxNodeView n, Affine x, int[] axes, Kind kind) {
    int[] kept = x.shape();
    for (int a : axes) {
      kept[a] = 1;
    }
    int out = Tensor.sizeOf(kept);
    int k = x.size() / Math.max(1, out);
    int[] owner = Shapes.broadcastSource(kept, x.shape());
    int[][] picks = new int[k][out];
    int[] seen = new int[out];
    for (int i = 0; i < owner.length; i++) {
      picks[seen[owner[i]]++][owner[i]] = i;
    }
    List<Affine> values = new ArrayList<>();
    for (int[] p : picks) {
      values.add(x.map(CsrMatrix.selection(p, x.size()), kept));
    }
    if (kind == Kind.PROD) {
      return Nonlinear.productTree(n, values, n.outputName(0));
    }
    return Nonlinear.extremeTree(n, values, kind == Kind.MAX, n.outputName(0));
  }

  private static int[] dropped(int[] shape, int[] axes) {
    boolean[] gone = new boolean[shape.length];
    int left = shape.length;
    for (int a : axes) {
      if (!gone[a]) {
        gone[a] = true;
        left--;
      }
    }
    int[] out = new int[left];
    int j = 0;
    for (int d = 0; d < shape.length; d++) {
      if (!gone[d]) {
        out[j++] = shape[d];
      }
    }
    return out;
  }
}
