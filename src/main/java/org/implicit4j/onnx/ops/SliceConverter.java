package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/** Slice (attributes before opset 10, inputs from 10 on, with steps): a sparse selection. */
public final class SliceConverter implements OpConverter {
  /** The slice's parameters, one entry per listed axis. */
  private record Spec(long[] starts, long[] ends, long[] axes, long[] steps) {}

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    int rank = x.rank();
    Spec sp = spec(n);
    int[] begin = new int[rank];
    int[] step = new int[rank];
    int[] out = x.shape();
    Arrays.fill(step, 1);
    for (int i = 0; i < sp.starts().length; i++) {
      int ax = Shapes.axis(sp.axes() == null ? i : sp.axes()[i], rank, n);
      long st = sp.steps() == null ? 1 : sp.steps()[i];
      if (st == 0) {
        throw n.error("step 0 on axis " + ax);
      }
      long[] range = clamp(sp.starts()[i], sp.ends()[i], st, x.shape()[ax]);
      begin[ax] = (int) range[0];
      step[ax] = (int) st;
      out[ax] = (int) range[1];
    }
    return List.of(x.map(CsrMatrix.selection(sources(x.shape(), begin, step, out), x.size()), out));
  }

  /** starts, ends, axes, steps: attributes before opset 10, constant inputs from 10 on. */
  private static Spec spec(OnnxNodeView n) {
    Spec sp = n.opset() < 10 ? new Spec(n.ints("starts"), n.ints("ends"), n.ints("axes"), null)
        : new Spec(n.constant(1, "starts").longs(), n.constant(2, "ends").longs(),
            n.hasInput(3) ? n.constant(3, "axes").longs() : null, n.hasInput(4) ? n.constant(4, "steps").longs() : null);
    if (sp.starts() == null || sp.ends() == null || sp.starts().length != sp.ends().length) {
      throw n.error("starts and ends must be given with equal lengths");
    }
    return sp;
  }

  /** {first index, count} of start:end:step on an axis of size dim, clamped as ONNX defines. */
  private static long[] clamp(long start, long end, long st, long dim) {
    long s = start < 0 ? start + dim : start;
    long e = end < 0 ? end + dim : end;
    if (st > 0) {
      s = Math.max(0, Math.min(dim, s));
      e = Math.max(0, Math.min(dim, e));
      return new long[] {s, e > s ? (e - s + st - 1) / st : 0};
    }
    s = Math.max(-1, Math.min(dim - 1, s));
    e = Math.max(-1, Math.min(dim - 1, e));
    return new long[] {s, s > e ? (s - e + (-st) - 1) / (-st) : 0};
  }

  /** The input index of each output element, in C order. */
  private static int[] sources(int[] in, int[] begin, int[] step, int[] out) {
    int rank = in.length;
    int[] is = Shapes.strides(in);
    int[] src = new int[Tensor.sizeOf(out)];
    int[] idx = new int[rank];
    for (int k = 0; k < src.length; k++) {
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
    return src;
  }
}
