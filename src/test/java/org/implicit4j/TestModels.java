package org.implicit4j;

import java.util.Random;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Shape;

/** Seeded random networks for tests, each with a direct layer-by-layer evaluation as its oracle. */
public final class TestModels {
  private TestModels() {}

  /** a·b for plain matrices: the independent reference several tests compare operators with. */
  public static double[][] times(double[][] a, double[][] b) {
    double[][] c = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < b.length; k++) {
        for (int j = 0; j < b[0].length; j++) {
          c[i][j] += a[i][k] * b[k][j];
        }
      }
    }
    return c;
  }

  public static double[] randn(Random r, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian() * scale;
    }
    return v;
  }

  /** A hand-written 3-layer MLP p → h1 → h2 → q with ReLU, as plain arrays. */
  public record Mlp(int p, int h1, int h2, int q, double[] w0, double[] b0, double[] w1, double[] b1, double[] w2,
      double[] b2) {

    public static Mlp random(Random r, int p, int h1, int h2, int q) {
      return new Mlp(p, h1, h2, q, randn(r, h1 * p, 1 / Math.sqrt(p)), randn(r, h1, 0.1),
          randn(r, h2 * h1, 1 / Math.sqrt(h1)), randn(r, h2, 0.1), randn(r, q * h2, 1 / Math.sqrt(h2)),
          randn(r, q, 0.1));
    }

    /** Forward pass, written out loop by loop. */
    public double[] forward(double[] u) {
      double[] a = layer(w0, b0, u, h1, p, true);
      double[] b = layer(w1, b1, a, h2, h1, true);
      return layer(w2, b2, b, q, h2, false);
    }

    private static double[] layer(double[] w, double[] bias, double[] x, int m, int n, boolean relu) {
      double[] y = new double[m];
      for (int i = 0; i < m; i++) {
        double acc = bias[i];
        for (int j = 0; j < n; j++) {
          acc += w[i * n + j] * x[j];
        }
        y[i] = relu ? Math.max(acc, 0) : acc;
      }
      return y;
    }

    /** The implicit model: states (x2, x1), last layer first, A = [[0, W1], [0, 0]]. */
    public ImplicitModel implicit() {
      ImplicitModel.Builder b = ImplicitModel.builder(p, q);
      int s2 = b.addState("h2", h2, Activation.RELU);
      int s1 = b.addState("h1", h1, Activation.RELU);
      b.addA(s2, s1, new DenseMatrix(h2, h1, w1.clone()));
      b.addB(s1, new DenseMatrix(h1, p, w0.clone()));
      b.addStateBias(s1, b0);
      b.addStateBias(s2, b1);
      b.addC(s2, new DenseMatrix(q, h2, w2.clone()));
      b.addOutputBias(b2);
      return b.build();
    }
  }

  /** Direct 2-D convolution from the ONNX definition (zero padding), the oracle for Conv2d. */
  public static double[] naiveConv(ConvGeometry g, double[] k, double[] x) {
    double[] y = new double[g.outputSize()];
    int cpg = g.cinPerGroup();
    for (int o = 0; o < g.cout(); o++) {
      int grp = o / g.coutPerGroup();
      for (int oy = 0; oy < g.oh(); oy++) {
        for (int ox = 0; ox < g.ow(); ox++) {
          double acc = 0;
          for (int c = 0; c < cpg; c++) {
            for (int ky = 0; ky < g.kh(); ky++) {
              for (int kx = 0; kx < g.kw(); kx++) {
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilH();
                int ix = ox * g.strideW() - g.padLeft() + kx * g.dilW();
                if (iy < 0 || ix < 0 || iy >= g.h() || ix >= g.w()) {
                  continue;
                }
                acc += k[((o * cpg + c) * g.kh() + ky) * g.kw() + kx] * x[((grp * cpg + c) * g.h() + iy) * g.w() + ix];
              }
            }
          }
          y[(o * g.oh() + oy) * g.ow() + ox] = acc;
        }
      }
    }
    return y;
  }

  /**
   * A small residual CNN on 2×6×6 inputs: h1 = relu(conv1 u + b1) (4 ch, 3×3 pad 1),
   * h2 = relu(conv2 h1 + b2 + h1) (residual), h3 = relu(conv3 h2, stride 2) (4×3×3), y = W h3 + c.
   */
  public record ResCnn(ConvGeometry g1, double[] k1, double[] b1, ConvGeometry g2, double[] k2, double[] b2,
      ConvGeometry g3, double[] k3, double[] w, double[] c) {

    public static ResCnn random(Random r) {
      ConvGeometry g1 = new ConvGeometry(2, 6, 6, 4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1);
      ConvGeometry g2 = new ConvGeometry(4, 6, 6, 4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1);
      ConvGeometry g3 = new ConvGeometry(4, 6, 6, 4, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 2);
      return new ResCnn(g1, randn(r, g1.kernelSize(), 0.3), randn(r, 4, 0.1), g2, randn(r, g2.kernelSize(), 0.2),
          randn(r, 4, 0.1), g3, randn(r, g3.kernelSize(), 0.3), randn(r, 5 * 36, 0.2), randn(r, 5, 0.1));
    }

    private static double[] perChannel(double[] b, int hw) {
      double[] v = new double[b.length * hw];
      for (int i = 0; i < v.length; i++) {
        v[i] = b[i / hw];
      }
      return v;
    }

    public double[] forward(double[] u) {
      double[] h1 = naiveConv(g1, k1, u);
      double[] bb1 = perChannel(b1, 36);
      for (int i = 0; i < h1.length; i++) {
        h1[i] = Math.max(0, h1[i] + bb1[i]);
      }
      double[] h2 = naiveConv(g2, k2, h1);
      double[] bb2 = perChannel(b2, 36);
      for (int i = 0; i < h2.length; i++) {
        h2[i] = Math.max(0, h2[i] + bb2[i] + h1[i]);
      }
      double[] h3 = naiveConv(g3, k3, h2);
      for (int i = 0; i < h3.length; i++) {
        h3[i] = Math.max(0, h3[i]);
      }
      double[] y = new double[5];
      for (int i = 0; i < 5; i++) {
        double acc = c[i];
        for (int j = 0; j < 36; j++) {
          acc += w[i * 36 + j] * h3[j];
        }
        y[i] = acc;
      }
      return y;
    }

    public ImplicitModel implicit() {
      ImplicitModel.Builder b = ImplicitModel.builder(Shape.of(2, 6, 6), Shape.of(5));
      int s3 = b.addState("h3", Shape.of(4, 3, 3), Activation.RELU);
      int s2 = b.addState("h2", Shape.of(4, 6, 6), Activation.RELU);
      int s1 = b.addState("h1", Shape.of(4, 6, 6), Activation.RELU);
      b.addB(s1, new Conv2d(g1, k1.clone()));
      b.addStateBias(s1, perChannel(b1, 36));
      b.addA(s2, s1, new Conv2d(g2, k2.clone()));
      b.addA(s2, s1, DiagonalMatrix.identity(144));
      b.addStateBias(s2, perChannel(b2, 36));
      b.addA(s3, s2, new Conv2d(g3, k3.clone()));
      b.addC(s3, new DenseMatrix(5, 36, w.clone()));
      b.addOutputBias(c);
      return b.build();
    }
  }

  /** A random dense model with ReLU states whose ‖A‖∞ is exactly {@code norm}. */
  public static ImplicitModel randomDense(Random r, int n, int p, int q, double norm, Activation act) {
    return randomDense(r, n, p, q, norm, act, false);
  }

  /** As above; with {@code nonNegative} A ≥ 0, so that λpf(A) = ‖A‖∞ (equal row sums): the slow case for Picard. */
  public static ImplicitModel randomDense(Random r, int n, int p, int q, double norm, Activation act,
      boolean nonNegative) {
    double[] a = randn(r, n * n, 1);
    if (nonNegative) {
      for (int i = 0; i < a.length; i++) {
        a[i] = Math.abs(a[i]);
      }
    }
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += Math.abs(a[i * n + j]);
      }
      for (int j = 0; j < n; j++) {
        a[i * n + j] *= norm / s;
      }
    }
    ImplicitModel.Builder b = ImplicitModel.builder(p, q);
    int s = b.addState("x", n, act);
    b.addA(s, s, new DenseMatrix(n, n, a));
    b.addB(s, new DenseMatrix(n, p, randn(r, n * p, 1)));
    b.addStateBias(s, randn(r, n, 0.5));
    b.addC(s, new DenseMatrix(q, n, randn(r, q * n, 1)));
    b.addD(new DenseMatrix(q, p, randn(r, q * p, 0.5)));
    b.addOutputBias(randn(r, q, 0.1));
    return b.build();
  }
}
