package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Ops;
import org.implicit4j.onnx.Tensor;

/**
 * ConvTranspose (1-D and 2-D) as the transpose of the convolution it inverts: weights [C_in, C_out/g,
 * kh, kw] are exactly that convolution's kernel (from C_out channels of the larger image to C_in of
 * the smaller), with the same strides, pads, dilations and groups; output_padding lengthens the
 * larger image; output_shape sets the pads. The transpose is held as a sparse matrix, its size
 * checked before it is built.
 */
public final class ConvTransposeConverter implements org.implicit4j.onnx.OpConverter {
  /** Entries the sparse transpose may hold. */
  private static final long MAX_ENTRIES = 1L << 24;

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    Tensor w = n.constant(1, "weight");
    int rank = x.rank();
    if (rank != 3 && rank != 4 || w.shape().length != rank) {
      throw n.unsupported("ConvTranspose on a rank-" + rank + " input (1-D and 2-D only)");
    }
    int spatial = rank - 2;
    int[] s = x.shape();
    int groups = (int) n.intOr("group", 1);
    int cin = s[1];
    int cout = w.shape()[1] * groups;
    if (w.shape()[0] != cin || cin % groups != 0) {
      throw n.error("weight " + Arrays.toString(w.shape()) + " with group " + groups + " does not fit " + cin
          + " input channels");
    }
    int h = spatial == 2 ? s[2] : 1;
    int wd = s[rank - 1];
    int kh = spatial == 2 ? w.shape()[2] : 1;
    int kw = w.shape()[rank - 1];
    int[] st = n.intsOr("strides", WindowsNd.ones(spatial));
    int[] dl = n.intsOr("dilations", WindowsNd.ones(spatial));
    int[] op = n.intsOr("output_padding", new int[spatial]);
    int[][] pads = pads(n, spatial, new int[] {h, wd}, new int[] {kh, kw}, st, dl, op);
    int sh = spatial == 2 ? st[0] : 1;
    int dh = spatial == 2 ? dl[0] : 1;
    int oh = spatial == 2 ? sh * (h - 1) + op[0] + (kh - 1) * dh + 1 - pads[0][0] - pads[1][0] : 1;
    int sw = st[spatial - 1];
    int dw = dl[spatial - 1];
    int ow = sw * (wd - 1) + op[spatial - 1] + (kw - 1) * dw + 1 - pads[0][spatial - 1] - pads[1][spatial - 1];
    long entries = (long) cin * (cout / groups) * kh * kw * h * wd * s[0];
    if (oh <= 0 || ow <= 0 || entries > MAX_ENTRIES) {
      throw n.error("output " + oh + "x" + ow + " from " + entries + " kernel applications: empty or too large");
    }
    // The convolution from the [cout, oh, ow] image to the [cin, h, w] one, with this node's weights.
    ConvGeometry g = new ConvGeometry(cout, oh, ow, cin, h, wd, kh, kw, sh, sw, spatial == 2 ? pads[0][0] : 0,
        pads[0][spatial - 1], dh, dw, groups);
    CsrMatrix t = new Conv2d(g, w.data().clone()).toSparse().transpose();
    int[] out = spatial == 2 ? new int[] {s[0], cout, oh, ow} : new int[] {s[0], cout, ow};
    Affine y = x.map(Ops.repeat(t, s[0]), out);
    if (n.hasInput(2)) {
      y = y.plusConstant(ConvConverter.perChannel(n.constant(2, "bias").data(), out));
    }
    return List.of(y);
  }

  /**
   * {begin[], end[]} pads: explicit; or, for output_shape or SAME_UPPER / SAME_LOWER (output
   * in·stride), the total padding that size needs, split as ONNX says (the odd one at the end for
   * SAME_UPPER, at the start otherwise).
   */
  private static int[][] pads(OnnxNodeView n, int spatial, int[] in, int[] k, int[] st, int[] dl, int[] op) {
    String auto = n.stringOr("auto_pad", "NOTSET");
    int[] shape = n.intsOr("output_shape", null);
    int[][] p = new int[2][spatial];
    if (shape == null && (auto.equals("NOTSET") || auto.equals("VALID"))) {
      int[] given = auto.equals("VALID") ? new int[2 * spatial] : n.intsOr("pads", new int[2 * spatial]);
      for (int a = 0; a < spatial; a++) {
        p[0][a] = given[a];
        p[1][a] = given[a + spatial];
      }
      return p;
    }
    for (int a = 0; a < spatial; a++) {
      int ia = in[in.length - spatial + a];
      int ka = k[k.length - spatial + a];
      int target = shape != null ? shape[shape.length - spatial + a] : ia * st[a];
      // May be negative (an output_shape beyond the natural size): ONNX then pads the end negatively.
      int total = st[a] * (ia - 1) + op[a] + (ka - 1) * dl[a] + 1 - target;
      p[0][a] = auto.equals("SAME_UPPER") ? Math.floorDiv(total, 2) : total - Math.floorDiv(total, 2);
      p[1][a] = total - p[0][a];
    }
    return p;
  }
}
