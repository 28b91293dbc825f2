package org.implicit4j.onnx.ops;

import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.Floats;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OnnxTensors;
import org.implicit4j.onnx.Tensor;

/**
 * Resize (opset 10 on) and Upsample, modes nearest and linear: each output is a fixed combination
 * of input elements (one for nearest, up to 2 per axis for linear), so the op is an exact sparse
 * linear map, built axis by axis. Coordinate modes half_pixel, pytorch_half_pixel, align_corners
 * asymmetric and half_pixel_symmetric; the four nearest_modes; axes and keep_aspect_ratio_policy.
 * Refused by name: cubic, antialias, tf_crop_and_resize.
 */
public final class ResizeConverter implements org.implicit4j.onnx.OpConverter {
  /** One output index along one axis: the input indices it reads and their weights. */
  private record Taps(int[] index, double[] weight) {}

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    Affine x = n.input(0);
    String mode = n.stringOr("mode", "nearest");
    if (!mode.equals("nearest") && !mode.equals("linear")) {
      throw n.unsupported("Resize mode '" + mode + "'");
    }
    if (n.intOr("antialias", 0) != 0) {
      throw n.unsupported("Resize with antialias");
    }
    int[] in = x.shape();
    double[] scales = new double[in.length];
    int[] out = outputShape(n, in, scales);
    long total = 1;
    for (int d : out) {
      total *= d;
    }
    if (total > OnnxTensors.MAX_ACTIVATION_VALUES) {
      throw n.error("resizing to " + java.util.Arrays.toString(out) + " makes " + total + " values; too large to hold");
    }
    Taps[][] axes = new Taps[in.length][];
    for (int d = 0; d < in.length; d++) {
      axes[d] = axisTaps(n, in[d], out[d], scales[d], mode.equals("linear"));
    }
    return List.of(x.map(combine(axes, in, out), out));
  }

  /**
   * Output shape from {@code sizes} (scale = out/in, or one common scale under
   * keep_aspect_ratio_policy not_larger / not_smaller) or {@code scales} (out = ⌊in·scale⌋), over
   * all axes or the {@code axes} listed (the others keep scale 1).
   */
  private static int[] outputShape(OnnxNodeView n, int[] in, double[] scales) {
    boolean upsample = n.op().equals("Upsample") || n.opset() < 11;
    int[] axes = axes(n, in.length);
    Tensor sizes = !upsample && n.hasInput(3) ? n.constant(3, "sizes") : null;
    int[] out = in.clone();
    java.util.Arrays.fill(scales, 1);
    if (sizes != null && sizes.size() > 0) {
      sized(n, in, axes, sizes.data(), scales, out);
      return out;
    }
    int scalesAt = upsample ? 1 : 2;
    double[] s = n.hasInput(scalesAt) ? n.constant(scalesAt, "scales").data() : attributeScales(n);
    if (s == null || s.length != axes.length) {
      throw n.error("neither sizes nor " + axes.length + " scales are given");
    }
    for (int i = 0; i < axes.length; i++) {
      scales[axes[i]] = (float) s[i];
      out[axes[i]] = (int) Math.floor(in[axes[i]] * scales[axes[i]]);
    }
    return out;
  }

  private static int[] axes(OnnxNodeView n, int rank) {
    int[] all = new int[rank];
    java.util.Arrays.setAll(all, i -> i);
    int[] given = n.intsOr("axes", all);
    int[] axes = new int[given.length];
    for (int i = 0; i < given.length; i++) {
      axes[i] = org.implicit4j.onnx.Shapes.axis(given[i], rank, n);
    }
    return axes;
  }

  private static void sized(OnnxNodeView n, int[] in, int[] axes, double[] sizes, double[] scales, int[] out) {
    String policy = n.stringOr("keep_aspect_ratio_policy", "stretch");
    if (sizes.length != axes.length) {
      throw n.error("sizes has " + sizes.length + " values for " + axes.length + " axes");
    }
    double common = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
    for (int i = 0; i < axes.length; i++) {
      double r = sizes[i] / in[axes[i]];
      common = policy.equals("not_larger") ? Math.min(common, r) : Math.max(common, r);
    }
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i];
      switch (policy) {
        case "stretch" -> {
          out[a] = (int) sizes[i];
          scales[a] = (double) out[a] / in[a];
        }
        case "not_larger", "not_smaller" -> {
          scales[a] = common;
          out[a] = (int) Math.round(common * in[a]);
        }
        default -> throw n.unsupported("Resize keep_aspect_ratio_policy '" + policy + "'");
      }
    }
  }

  /** Upsample before opset 9 keeps its scales in an attribute. */
  private static double[] attributeScales(OnnxNodeView n) {
    float[] f = n.floats("scales");
    return f == null ? null : Floats.widened(f, 0, f.length);
  }

  /** For each output index along one axis, its input taps. */
  private static Taps[] axisTaps(OnnxNodeView n, int in, int out, double scale, boolean linear) {
    String ct = n.opset() < 11 ? "asymmetric" : n.stringOr("coordinate_transformation_mode", "half_pixel");
    Taps[] taps = new Taps[out];
    for (int o = 0; o < out; o++) {
      double resized = in * scale; // ONNX uses the unrounded length here
      double c = switch (ct) {
        case "half_pixel" -> (o + 0.5) / scale - 0.5;
        case "half_pixel_symmetric" -> in / 2.0 * (1 - out / resized) + (o + 0.5) / scale - 0.5;
        case "pytorch_half_pixel" -> resized > 1 ? (o + 0.5) / scale - 0.5 : 0;
        case "align_corners" -> resized == 1 ? 0 : o * (in - 1.0) / (resized - 1.0);
        case "asymmetric" -> o / scale;
        default -> throw n.unsupported("Resize coordinate_transformation_mode '" + ct + "'");
      };
      taps[o] = linear ? linearTaps(c, in) : new Taps(new int[] {nearest(n, c, in)}, new double[] {1});
    }
    return taps;
  }

  private static int nearest(OnnxNodeView n, double c, int in) {
    String nm = n.opset() < 11 ? "floor" : n.stringOr("nearest_mode", "round_prefer_floor");
    double f = Math.floor(c);
    long i = switch (nm) {
      case "round_prefer_floor" -> c - f == 0.5 ? (long) f : Math.round(c);
      case "round_prefer_ceil" -> Math.round(c);
      case "floor" -> (long) f;
      case "ceil" -> (long) Math.ceil(c);
      default -> throw n.unsupported("Resize nearest_mode '" + nm + "'");
    };
    return (int) Math.max(0, Math.min(in - 1, i));
  }

  /** The two neighbours of c (clamped to the axis) and their linear weights. */
  private static Taps linearTaps(double c, int in) {
    double x = Math.max(0, Math.min(in - 1, c));
    int i0 = (int) Math.floor(x);
    int i1 = Math.min(i0 + 1, in - 1);
    double w1 = x - i0;
    return i1 == i0 || w1 == 0 ? new Taps(new int[] {i0}, new double[] {1})
        : new Taps(new int[] {i0, i1}, new double[] {1 - w1, w1});
  }

  /** The tensor product of the per-axis taps as one sparse matrix (C order on both sides). */
  private static CsrMatrix combine(Taps[][] axes, int[] in, int[] out) {
    int size = Tensor.sizeOf(out);
    int[] ptr = new int[size + 1];
    List<int[]> cols = new java.util.ArrayList<>();
    List<double[]> vals = new java.util.ArrayList<>();
    int[] idx = new int[out.length];
    int nnz = 0;
    for (int k = 0; k < size; k++) {
      int[] c = {0};
      double[] v = {1};
      for (int d = 0; d < out.length; d++) {
        Taps t = axes[d][idx[d]];
        int[] c2 = new int[c.length * t.index().length];
        double[] v2 = new double[c2.length];
        for (int a = 0; a < c.length; a++) {
          for (int b = 0; b < t.index().length; b++) {
            c2[a * t.index().length + b] = c[a] * in[d] + t.index()[b];
            v2[a * t.index().length + b] = v[a] * t.weight()[b];
          }
        }
        c = c2;
        v = v2;
      }
      cols.add(c);
      vals.add(v);
      nnz += c.length;
      ptr[k + 1] = nnz;
      for (int d = out.length - 1; d >= 0 && ++idx[d] == out[d]; d--) {
        idx[d] = 0;
      }
    }
    int[] ci = new int[nnz];
    double[] cv = new double[nnz];
    for (int k = 0, e = 0; k < size; k++) {
      for (int j = 0; j < cols.get(k).length; j++, e++) {
        ci[e] = cols.get(k)[j];
        cv[e] = vals.get(k)[j];
      }
    }
    return new CsrMatrix(size, Tensor.sizeOf(in), ptr, ci, cv);
  }
}
