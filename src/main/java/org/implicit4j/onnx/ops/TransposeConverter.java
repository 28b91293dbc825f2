package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/** Transpose: a permutation of the C-order values (a sparse 0/1 map). */
public final class TransposeConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    int r = x.rank();
    int[] perm = n.intsOr("perm", null);
    if (perm == null) {
      perm = new int[r];
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    if (perm.length != r) {
      throw n.error("perm has " + perm.length + " entries for a rank-" + r + " input");
    }
    return List.of(permute(x, perm));
  }

  static Affine permute(Affine x, int[] perm) {
    int[] in = x.shape();
    int r = in.length;
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      out[i] = in[perm[i]];
    }
    int[] is = Shapes.strides(in);
    int size = x.size();
    int[] src = new int[size];
    int[] idx = new int[r];
    for (int k = 0; k < size; k++) {
      int s = 0;
      for (int d = 0; d < r; d++) {
        s += idx[d] * is[perm[d]];
      }
      src[k] = s;
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < out[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return x.map(CsrMatrix.selection(src, size), out);
  }

  /** The 2-D transpose when {@code trans}, else x. */
  static Affine transpose2d(Affine x, boolean trans) {
    if (!trans) {
      return x;
    }
    if (x.rank() != 2) {
      throw new IllegalArgumentException("transpose of rank " + x.rank());
    }
    if (Tensor.sizeOf(x.shape()) == 0) {
      return x;
    }
    return permute(x, new int[] {1, 0});
  }
}
