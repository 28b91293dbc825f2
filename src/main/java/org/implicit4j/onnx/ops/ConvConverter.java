package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OnnxTensors;
import org.implicit4j.onnx.OpConverter;
import org.implicit4j.onnx.Ops;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.SpatialAttrs;
import org.implicit4j.onnx.Tensor;

/**
 * Conv (1-D, 2-D and, as a sparse matrix, 3-D; pads incl. asymmetric, auto_pad, strides, dilations, groups incl. depthwise)
 * as a structured {@link Conv2d} block: the kernel is kept, never expanded to a Toeplitz matrix.
 */
public final class ConvConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    if (x.terms().size() > 1) {
      // The convolution would be applied once per source (e.g. the levels of a max-pool tree):
      // one identity state holding the input lets it run once.
      x = n.context().newState(n.inputName(0) + "#conv-in", x, Activation.IDENTITY, null);
    }
    Tensor w = n.constant(1, "weight");
    int rank = x.rank();
    if (rank == 5) {
      WindowsNd g = windows3d(n, x.shape(), w);
      int[] out = {x.shape()[0], w.shape()[0], g.out()[0], g.out()[1], g.out()[2]};
      return List.of(withBias(n, x.map(conv3d(n, x.shape(), w, g), out), w.shape()[0]));
    }
    if (rank != 3 && rank != 4) {
      throw n.unsupported("Conv on a rank-" + rank + " input (1-D, 2-D and 3-D convolutions only)");
    }
    if (w.shape().length != rank) {
      throw n.error("weight rank " + w.shape().length + " differs from input rank " + rank);
    }
    int spatial = rank - 2;
    int batch = x.shape()[0];
    int cin = x.shape()[1];
    int h = spatial == 2 ? x.shape()[2] : 1;
    int wd = x.shape()[rank - 1];
    int cout = w.shape()[0];
    int groups = (int) n.intOr("group", 1);
    if (w.shape()[1] * groups != cin) {
      throw n.error("weight " + Shapes.str(w.shape()) + " with group " + groups + " does not fit " + cin + " input channels");
    }
    int[] kernel = spatial == 2 ? new int[] {w.shape()[2], w.shape()[3]} : new int[] {w.shape()[2]};
    int[] declared = n.intsOr("kernel_shape", kernel);
    if (!java.util.Arrays.equals(declared, kernel)) {
      throw n.error("kernel_shape " + java.util.Arrays.toString(declared) + " differs from the weight's " + java.util.Arrays.toString(kernel));
    }
    SpatialAttrs s = SpatialAttrs.of(n, h, wd, kernel, false, spatial);
    ConvGeometry g = new ConvGeometry(cin, h, wd, cout, s.oh(), s.ow(), s.kh(), s.kw(), s.sh(), s.sw(), s.padTop(),
        s.padLeft(), s.dh(), s.dw(), groups);
    int[] out = spatial == 2 ? new int[] {batch, cout, s.oh(), s.ow()} : new int[] {batch, cout, s.ow()};
    Affine y;
    if (x.isConstant()) {
      y = Affine.constant(out, Ops.repeat(new Conv2d(g, w.data().clone()), batch).apply(x.bias()));
    } else {
      y = x.map(Ops.repeat(new Conv2d(g, w.data().clone()), batch), out);
    }
    return List.of(withBias(n, y, cout));
  }

  private static Affine withBias(OnnxNodeView n, Affine y, int cout) {
    if (!n.hasInput(2)) {
      return y;
    }
    Tensor b = n.constant(2, "bias");
    if (b.size() != cout) {
      throw n.error("bias has " + b.size() + " values for " + cout + " output channels");
    }
    return y.plusConstant(perChannel(b.data(), y.shape()));
  }

  private static WindowsNd windows3d(OnnxNodeView n, int[] x, Tensor w) {
    int[] kernel = java.util.Arrays.copyOfRange(w.shape(), 2, 5);
    return WindowsNd.of(n, java.util.Arrays.copyOfRange(x, 2, 5), n.intsOr("kernel_shape", kernel), false);
  }

  /**
   * A 3-D convolution as a sparse matrix (no structured 3-D kernel yet): one entry per (output,
   * input channel in its group, tap inside the input), its size checked before it is built.
   */
  private static CsrMatrix conv3d(OnnxNodeView n, int[] x, Tensor w, WindowsNd g) {
    int cout = w.shape()[0];
    int cinG = w.shape()[1];
    int groups = (int) n.intOr("group", 1);
    if (!java.util.Arrays.equals(g.kernel(), java.util.Arrays.copyOfRange(w.shape(), 2, 5))) {
      throw n.error("kernel_shape " + java.util.Arrays.toString(g.kernel()) + " differs from the weight's");
    }
    if (w.shape().length != 5 || cinG * groups != x[1] || cout % groups != 0) {
      throw n.error("weight " + Shapes.str(w.shape()) + " with group " + groups + " does not fit input " + Shapes.str(x));
    }
    long entries = (long) x[0] * cout * g.outVolume() * cinG * g.taps();
    if (entries > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw n.error("the 3-D convolution needs " + entries + " matrix entries; too large to hold");
    }
    int[][] t = g.table();
    int[] rows = new int[(int) entries];
    int[] cols = new int[(int) entries];
    double[] vals = new double[(int) entries];
    int e = 0;
    for (int b = 0; b < x[0]; b++) {
      for (int co = 0; co < cout; co++) {
        int first = co / (cout / groups) * cinG;
        for (int p = 0; p < g.outVolume(); p++) {
          for (int ci = 0; ci < cinG; ci++) {
            for (int j = 0; j < g.taps(); j++) {
              if (t[j][p] >= 0) {
                rows[e] = (b * cout + co) * g.outVolume() + p;
                cols[e] = (b * x[1] + first + ci) * g.inVolume() + t[j][p];
                vals[e++] = w.data()[(co * cinG + ci) * g.taps() + j];
              }
            }
          }
        }
      }
    }
    return CsrMatrix.fromTriples(x[0] * cout * g.outVolume(), x[0] * x[1] * g.inVolume(), rows, cols, vals, e);
  }

  /** A per-channel vector (axis 1) spread over a [N, C, ...] tensor. */
  static double[] perChannel(double[] c, int[] shape) {
    int inner = 1;
    for (int d = 2; d < shape.length; d++) {
      inner *= shape[d];
    }
    double[] v = new double[Tensor.sizeOf(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = c[(i / inner) % shape[1]];
    }
    return v;
  }
}
