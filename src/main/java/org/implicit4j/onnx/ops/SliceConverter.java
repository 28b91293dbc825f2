package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;

/** Slice (attributes before opset 10, inputs from 10 on, with steps): a sparse selection. */
public final class SliceConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    int rank = x.rank();
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    if (n.opset() < 10) {
      starts = n.ints("starts");
      ends = n.ints("ends");
      axes = n.ints("axes");
    } else {
      starts = n.constant(1, "starts").longs();
      ends = n.constant(2, "ends").longs();
      axes = n.hasInput(3) ? n.constant(3, "axes").longs() : null;
      steps = n.hasInput(4) ? n.constant(4, "steps").longs() : null;
    }
    if (starts == null || ends == null || starts.length != ends.length) {
      throw n.error("starts and ends must be given with equal lengths");
    }
    int[] begin = new int[rank];
    int[] step = new int[rank];
    int[] out = x.shape();
    java.util.Arrays.fill(step, 1);
    for (int i = 0; i < starts.length; i++) {
      int ax = Shapes.axis(axes == null ? i : axes[i], rank, n);
      long st = steps == null ? 1 : steps[i];
      if (st == 0) {
        throw n.error("step 0 on axis " + ax);
      }
      long dim = x.shape()[ax];
      long s = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      long count;
      if (st > 0) {
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        count = e > s ? (e - s + st - 1) / st : 0;
      } else {
        s = Math.max(-1, Math.min(dim - 1, s));
        e = Math.max(-1, Math.min(dim - 1, e));
        count = s > e ? (s - e + (-st) - 1) / (-st) : 0;
      }
      begin[ax] = (int) s;
      step[ax] = (int) st;
      out[ax] = (int) count;
    }
    int[] is = Shapes.strides(x.shape());
    int size = org.implicit4j.onnx.Tensor.sizeOf(out);
    int[] src = new int[size];
    int[] idx = new int[rank];
    for (int k = 0; k < size; k++) {
      int s = 0;
      for (int d = 0; d < rank; d++) {
        s += (begin[d] + idx[d] * step[d]) * is[d];
      }
      src[k] = s;
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < out[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return List.of(x.map(CsrMatrix.selection(src, x.size()), out));
  }
}
