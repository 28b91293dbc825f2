package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;

/**
 * Split along an axis into parts given by the {@code split} attribute (before opset 13), a constant
 * second input (13 on) or equal parts ({@code num_outputs} from 18, else the output count). Each
 * part is a selection: exact.
 */
public final class SplitConverter implements org.implicit4j.onnx.OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    int axis = Shapes.axis(n.intOr("axis", 0), x.rank(), n);
    int[] sizes = sizes(n, x.shape()[axis]);
    List<Affine> out = new ArrayList<>();
    int from = 0;
    for (int len : sizes) {
      out.add(part(x, axis, from, len));
      from += len;
    }
    return out;
  }

  private static int[] sizes(OnnxNodeView n, int dim) {
    long[] given = n.opset() >= 13 ? (n.hasInput(1) ? n.constant(1, "split").longs() : null) : n.ints("split");
    int parts = n.opset() >= 18 && n.has("num_outputs") ? (int) n.intOr("num_outputs", 1) : n.outputCount();
    if (given == null) {
      int each = (dim + parts - 1) / parts; // ONNX: the last part may be smaller
      int[] s = new int[parts];
      for (int i = 0; i < parts; i++) {
        s[i] = Math.max(0, Math.min(each, dim - i * each));
      }
      return s;
    }
    int[] s = new int[given.length];
    long total = 0;
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(given[i]);
      total += given[i];
    }
    if (total != dim || s.length != n.outputCount()) {
      throw n.error("split sizes " + Arrays.toString(given) + " do not cover the axis of size " + dim + " in "
          + n.outputCount() + " outputs");
    }
    return s;
  }

  /** Entries [from, from + len) of x along axis, as a selection. */
  static Affine part(Affine x, int axis, int from, int len) {
    int[] out = x.shape();
    out[axis] = len;
    int[] picks = new int[len];
    Arrays.setAll(picks, j -> from + j);
    return x.map(CsrMatrix.selection(Shapes.alongAxis(x.shape(), axis, picks), x.size()), out);
  }
}
