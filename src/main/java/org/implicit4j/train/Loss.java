package org.implicit4j.train;

/**
 * Training losses of class labels against the model's outputs ŷ (logits), averaged over the batch,
 * with their gradient G = ∂L/∂ŷ (El Ghaoui et al. §6; docs/MATHS.md §6).
 */
public sealed interface Loss {
  /** L and G (batch × q, written into {@code grad}) for a batch of outputs and labels. */
  double valueAndGradient(double[] yhat, int[] labels, int q, double[] grad);

  String name();

  /** Softmax cross-entropy: L = mean_s (log Σ_t e^{ŷ_st} − ŷ_{s,y_s}); G = (softmax(ŷ) − e_y)/batch. */
  record CrossEntropy() implements Loss {
    @Override
    public double valueAndGradient(double[] yhat, int[] labels, int q, double[] grad) {
      int batch = labels.length;
      double total = 0;
      for (int s = 0; s < batch; s++) {
        int o = s * q;
        double mx = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < q; t++) {
          mx = Math.max(mx, yhat[o + t]);
        }
        double sum = 0;
        for (int t = 0; t < q; t++) {
          grad[o + t] = Math.exp(yhat[o + t] - mx);
          sum += grad[o + t];
        }
        total += Math.log(sum) + mx - yhat[o + labels[s]];
        for (int t = 0; t < q; t++) {
          grad[o + t] /= sum * batch;
        }
        grad[o + labels[s]] -= 1.0 / batch;
      }
      return total / batch;
    }

    @Override
    public String name() {
      return "cross-entropy";
    }
  }

  /** Mean squared error against one-hot labels: L = mean_s ½‖ŷ_s − e_{y_s}‖²; G = (ŷ − e_y)/batch. */
  record MeanSquared() implements Loss {
    @Override
    public double valueAndGradient(double[] yhat, int[] labels, int q, double[] grad) {
      int batch = labels.length;
      double total = 0;
      for (int s = 0; s < batch; s++) {
        for (int t = 0; t < q; t++) {
          double d = yhat[s * q + t] - (t == labels[s] ? 1 : 0);
          total += 0.5 * d * d;
          grad[s * q + t] = d / batch;
        }
      }
      return total / batch;
    }

    @Override
    public String name() {
      return "mse";
    }
  }

  /** "cross-entropy" (or "ce") and "mse". */
  static Loss parse(String s) {
    return switch (s) {
      case "cross-entropy", "ce" -> new CrossEntropy();
      case "mse" -> new MeanSquared();
      default -> throw new IllegalArgumentException("unknown loss '" + s + "'; expected cross-entropy or mse");
    };
  }
}
