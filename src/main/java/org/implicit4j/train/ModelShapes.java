package org.implicit4j.train;

import java.util.Random;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;

/**
 * Fresh models to train. Weights and biases start uniform in ±1/√fan_in (PyTorch's nn.Linear
 * default), seeded.
 */
public final class ModelShapes {
  private ModelShapes() {}

  /**
   * The paper's general implicit model (El Ghaoui et al. §6): one block of n ReLU states,
   * x = relu(Ax + Bu + b), ŷ = Cx + Du + c, with dense A, B, C, D.
   */
  public static ImplicitModel dense(int p, int n, int q, long seed) {
    Random r = new Random(seed);
    ImplicitModel.Builder b = ImplicitModel.builder(p, q);
    int x = b.addState("x", n, Activation.RELU);
    b.addA(x, x, uniform(r, n, n, n));
    b.addB(x, uniform(r, n, p, p));
    b.addStateBias(x, vector(r, n, p));
    b.addC(x, uniform(r, q, n, n));
    b.addD(uniform(r, q, p, p));
    b.addOutputBias(vector(r, q, n));
    return b.build();
  }

  /**
   * A feed-forward ReLU network p → hidden[0] → … → q as a strictly upper-triangular implicit model
   * (states last layer first), the same-size baseline of the paper trained by the same code.
   */
  public static ImplicitModel layers(int p, int[] hidden, int q, long seed) {
    if (hidden.length == 0) {
      throw new IllegalArgumentException("--layers needs at least one hidden layer");
    }
    Random r = new Random(seed);
    ImplicitModel.Builder b = ImplicitModel.builder(p, q);
    int k = hidden.length;
    int[] block = new int[k];
    for (int l = k - 1; l >= 0; l--) {
      block[l] = b.addState("h" + (l + 1), hidden[l], Activation.RELU);
    }
    b.addB(block[0], uniform(r, hidden[0], p, p));
    b.addStateBias(block[0], vector(r, hidden[0], p));
    for (int l = 1; l < k; l++) {
      b.addA(block[l], block[l - 1], uniform(r, hidden[l], hidden[l - 1], hidden[l - 1]));
      b.addStateBias(block[l], vector(r, hidden[l], hidden[l - 1]));
    }
    b.addC(block[k - 1], uniform(r, q, hidden[k - 1], hidden[k - 1]));
    b.addOutputBias(vector(r, q, hidden[k - 1]));
    return b.build();
  }

  private static DenseMatrix uniform(Random r, int rows, int cols, int fanIn) {
    return new DenseMatrix(rows, cols, vector(r, rows * cols, fanIn));
  }

  private static double[] vector(Random r, int len, int fanIn) {
    double a = 1 / Math.sqrt(fanIn);
    double[] v = new double[len];
    for (int i = 0; i < len; i++) {
      v[i] = (2 * r.nextDouble() - 1) * a;
    }
    return v;
  }
}
