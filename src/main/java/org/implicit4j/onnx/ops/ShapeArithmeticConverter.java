package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * The shape arithmetic exporters emit around Flatten/Reshape, folded to constants at import time:
 * Shape, Gather (constant data only), Cast, ConstantOfShape.
 */
public final class ShapeArithmeticConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    return List.of(switch (n.op()) {
      case "Shape" -> {
        int[] s = n.input(0).shape();
        int r = s.length;
        int start = (int) n.intOr("start", 0);
        int end = (int) n.intOr("end", r);
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        double[] d = new double[Math.max(0, end - start)];
        for (int i = 0; i < d.length; i++) {
          d[i] = s[start + i];
        }
        yield Affine.constant(new Tensor(new int[] {d.length}, d, true));
      }
      case "Gather" -> {
        Affine data = n.input(0);
        if (!data.isConstant()) {
          throw n.unsupported("Gather on data that depends on the input");
        }
        Tensor idx = n.constant(1, "indices");
        int axis = Shapes.axis(n.intOr("axis", 0), data.rank(), n);
        int[] ds = data.shape();
        int[] out = new int[ds.length - 1 + idx.shape().length];
        System.arraycopy(ds, 0, out, 0, axis);
        System.arraycopy(idx.shape(), 0, out, axis, idx.shape().length);
        System.arraycopy(ds, axis + 1, out, axis + idx.shape().length, ds.length - axis - 1);
        int outer = 1;
        for (int d = 0; d < axis; d++) {
          outer *= ds[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < ds.length; d++) {
          inner *= ds[d];
        }
        double[] v = new double[Tensor.sizeOf(out)];
        int k = 0;
        for (int o = 0; o < outer; o++) {
          for (double id : idx.data()) {
            int j = (int) id < 0 ? (int) id + ds[axis] : (int) id;
            if (j < 0 || j >= ds[axis]) {
              throw n.error("index " + (long) id + " out of range for axis of size " + ds[axis]);
            }
            for (int i = 0; i < inner; i++) {
              v[k++] = data.bias()[(o * ds[axis] + j) * inner + i];
            }
          }
        }
        yield new Affine(out, java.util.Map.of(), v, data.integer());
      }
      case "Cast" -> {
        Affine x = n.input(0);
        int to = (int) n.intOr("to", 1);
        boolean toInt = switch (to) {
          case 1, 10, 11, 16 -> false;
          case 2, 3, 4, 5, 6, 7, 9, 12, 13 -> true;
          default -> throw n.unsupported("Cast to element type " + to);
        };
        if (!x.isConstant()) {
          if (toInt) {
            throw n.unsupported("Cast of an input-dependent tensor to an integer type");
          }
          yield x;
        }
        double[] b = x.bias().clone();
        for (int i = 0; i < b.length; i++) {
          b[i] = to == 9 ? (b[i] != 0 ? 1 : 0) : toInt ? (double) (long) b[i] : to == 1 ? (float) b[i] : b[i];
        }
        yield new Affine(x.shape(), java.util.Map.of(), b, toInt);
      }
      case "ConstantOfShape" -> {
        long[] shape = n.constant(0, "shape").longs();
        Tensor value = n.tensorAttr("value");
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
          s[i] = Math.toIntExact(shape[i]);
        }
        double[] v = new double[Tensor.sizeOf(s)];
        java.util.Arrays.fill(v, value == null ? 0 : value.data()[0]);
        yield new Affine(s, java.util.Map.of(), v, value != null && value.integer());
      }
      default -> throw n.unsupported("shape op " + n.op());
    });
  }
}
