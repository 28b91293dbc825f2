package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * AveragePool (pads, strides, ceil_mode, count_include_pad both ways) and GlobalAveragePool: a
 * sparse averaging map, each output the sum of its window's valid taps divided by the count.
 */
public final class AveragePoolConverter implements OpConverter {
  private final boolean global;

  /** @param global the GlobalAveragePool form (one window over the whole image) */
  public AveragePoolConverter(boolean global) {
    this.global = global;
  }

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    PoolWindows pw = PoolWindows.of(n, x, n.intsOr("kernel_shape", null), global);
    boolean includePad = n.intOr("count_include_pad", 0) != 0;
    int out = pw.outSize();
    int k = pw.taps().length;
    int[] rows = new int[out * k];
    int[] cols = new int[out * k];
    double[] vals = new double[out * k];
    int e = 0;
    for (int o = 0; o < out; o++) {
      int valid = 0;
      for (int[] tap : pw.taps()) {
        if (tap[o] >= 0) {
          valid++;
        }
      }
      // With count_include_pad every tap counts, also those past the end padding in ceil mode (as ONNX
      // Runtime and the ONNX reference divide).
      int count = includePad ? k : valid;
      if (count == 0) {
        throw n.error("an output window holds no input values");
      }
      for (int[] tap : pw.taps()) {
        if (tap[o] >= 0) {
          rows[e] = o;
          cols[e] = tap[o];
          vals[e++] = 1.0 / count;
        }
      }
    }
    CsrMatrix avg = CsrMatrix.fromTriples(out, pw.inSize(), Arrays.copyOf(rows, e), Arrays.copyOf(cols, e),
        Arrays.copyOf(vals, e), e);
    return List.of(x.map(avg, pw.outShape()));
  }
}
