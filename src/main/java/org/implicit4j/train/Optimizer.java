package org.implicit4j.train;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * First-order optimisers over flat parameter arrays; state (moments) kept per array. Both are the
 * textbook updates (Kingma and Ba 2015 for Adam; heavy-ball momentum for SGD).
 */
public sealed interface Optimizer {
  /** w ← w − step(g), in place. */
  void step(double[] w, double[] g);

  /** Called once per optimisation step, before the arrays are updated. */
  void tick();

  /** Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − lr·m̂/(√v̂ + ε). */
  final class Adam implements Optimizer {
    private final double lr;
    private final double beta1 = 0.9;
    private final double beta2 = 0.999;
    private final double eps = 1e-8;
    private final Map<double[], double[][]> moments = new IdentityHashMap<>();
    private int t;

    public Adam(double lr) {
      this.lr = lr;
    }

    @Override
    public void tick() {
      t++;
    }

    @Override
    public void step(double[] w, double[] g) {
      double[][] mv = moments.computeIfAbsent(w, k -> new double[][] {new double[k.length], new double[k.length]});
      double[] m = mv[0];
      double[] v = mv[1];
      double c1 = 1 - Math.pow(beta1, t);
      double c2 = 1 - Math.pow(beta2, t);
      for (int i = 0; i < w.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        w[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
  }

  /** SGD with momentum: b ← μb + g, w ← w − lr·b. */
  final class Sgd implements Optimizer {
    private final double lr;
    private final double momentum;
    private final Map<double[], double[]> buffers = new IdentityHashMap<>();

    public Sgd(double lr, double momentum) {
      this.lr = lr;
      this.momentum = momentum;
    }

    @Override
    public void tick() {}

    @Override
    public void step(double[] w, double[] g) {
      double[] b = buffers.computeIfAbsent(w, k -> new double[k.length]);
      for (int i = 0; i < w.length; i++) {
        b[i] = momentum * b[i] + g[i];
        w[i] -= lr * b[i];
      }
    }
  }
}
