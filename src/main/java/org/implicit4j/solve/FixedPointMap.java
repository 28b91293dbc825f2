package org.implicit4j.solve;

import java.util.Arrays;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;

/**
 * The pieces every solver needs for one model and one batch: the constant term K = Bu + b, the map
 * g(x) = φ(Ax + K), its residual, and the prediction Cx + Du + c.
 */
final class FixedPointMap {
  final ImplicitModel model;
  final double[] inputs;
  final int batch;
  final int n;
  /** K = B u + b, batch × n. */
  final double[] constant;

  FixedPointMap(ImplicitModel model, double[] inputs, int batch) {
    DimensionMismatchException.check("solve", "input values", inputs.length, "batch·p", (long) batch * model.p());
    BatchTooLargeException.check(batch, model.n());
    this.model = model;
    this.inputs = inputs;
    this.batch = batch;
    this.n = model.n();
    this.constant = new double[batch * n];
    for (int s = 0; s < batch; s++) {
      model.stateBiasInto(constant, s * n);
    }
    model.b().multAdd(inputs, 0, model.p(), constant, 0, n, batch);
  }

  /** out = g(x) = φ(Ax + K). */
  void apply(double[] x, double[] out) {
    System.arraycopy(constant, 0, out, 0, constant.length);
    model.a().multAdd(x, 0, n, out, 0, n, batch);
    activate(out);
  }

  /** Applies φ blockwise in place to a batch of states. */
  void activate(double[] z) {
    for (StateBlock blk : model.states()) {
      for (int s = 0; s < batch; s++) {
        blk.activation().applyInPlace(z, s * n + blk.offset(), blk.size());
      }
    }
  }

  /** ŷ = Cx + Du + c, batch × q. */
  double[] predict(double[] x) {
    double[] y = new double[batch * model.q()];
    predictInto(model, x, 0, inputs, 0, batch, y);
    return y;
  }

  /**
   * ŷ_s = C x_s + D u_s + c for samples [from, from + count) into y at s·q, their states in x from
   * xo (n apart), their inputs in inputs at s·p.
   */
  static void predictInto(ImplicitModel model, double[] x, int xo, double[] inputs, int from, int count, double[] y) {
    int p = model.p();
    int q = model.q();
    for (int s = from; s < from + count; s++) {
      model.outputBiasInto(y, s * q);
    }
    model.c().multAdd(x, xo, model.n(), y, from * q, q, count);
    model.d().multAdd(inputs, from * p, p, y, from * q, q, count);
  }

  /**
   * The blockwise relative residual max over samples s and state blocks b of
   * ‖g(x)_{s,b} − x_{s,b}‖∞ / ‖g(x)_{s,b}‖∞ (0 when both are 0, ∞ when only g is 0). Invariant under
   * diagonal block scalings, so a rescaled model with states of size 1e-17 converges by the same test.
   */
  double blockRelativeResidual(double[] x, double[] gx) {
    double worst = 0;
    for (StateBlock blk : model.states()) {
      for (int s = 0; s < batch; s++) {
        double d = 0;
        double g = 0;
        int o = s * n + blk.offset();
        for (int i = o; i < o + blk.size(); i++) {
          double di = Math.abs(gx[i] - x[i]);
          if (!(di <= d)) {
            d = Double.isNaN(di) ? Double.POSITIVE_INFINITY : di;
          }
          g = Math.max(g, Math.abs(gx[i]));
        }
        if (d > 0) {
          worst = Math.max(worst, g > 0 ? d / g : Double.POSITIVE_INFINITY);
        }
      }
    }
    return worst;
  }

  static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }

  /**
   * {max |g − x|, the blockwise relative residual} of one float32 sample, in one pass and with the
   * semantics of {@link #maxAbsDiff} (NaN stays NaN) and {@link #blockRelativeResidual}.
   */
  static double[] residuals(ImplicitModel model, float[] x, float[] g) {
    double abs = 0;
    double worst = 0;
    for (StateBlock blk : model.states()) {
      double d = 0;
      double gm = 0;
      for (int i = blk.offset(); i < blk.offset() + blk.size(); i++) {
        double di = Math.abs((double) g[i] - x[i]);
        if (!(di <= d)) {
          d = Double.isNaN(di) ? Double.POSITIVE_INFINITY : di;
          abs = Double.isNaN(di) || Double.isNaN(abs) ? Double.NaN : Math.max(abs, di);
        }
        gm = Math.max(gm, Math.abs(g[i]));
      }
      if (d > 0) {
        worst = Math.max(worst, gm > 0 ? d / gm : Double.POSITIVE_INFINITY);
      }
    }
    return new double[] {abs, worst};
  }

  /** max |a − b|; NaN anywhere gives NaN so that it can never pass a tolerance. */
  static double maxAbsDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (!(d <= m)) {
        m = Double.isNaN(d) ? Double.NaN : d;
        if (Double.isNaN(m)) {
          return m;
        }
      }
    }
    return m;
  }

  double[] zeros() {
    double[] z = new double[batch * n];
    Arrays.fill(z, 0.0);
    return z;
  }
}
