import org.implicit4j.api.Implicit;
import org.implicit4j.model.Activation;

/** Two networks on the same input: averaged, and gated (tanh(a) ⊙ sigmoid(b)). */
public class Ensemble {
  public static void main(String[] args) {
    Implicit a = Implicit.load("samples/mnist8.onnx");
    Implicit b = Implicit.load("samples/mnist8.onnx").rescaled(0.9);
    Implicit mean = Implicit.parallel(a, b).sum(0.5, 0.5);
    Implicit gate = Implicit.parallel(a, b).product(Activation.TANH, Activation.SIGMOID);
    double[][] x = new double[1][784];
    java.util.Arrays.fill(x[0], 0.5);
    double[] ya = a.predict(x)[0];
    double[] ym = mean.predict(x)[0];
    double[] yg = gate.predict(x)[0];
    System.out.printf("a[0]=%.6f mean[0]=%.6f gate[0]=%.6f%n", ya[0], ym[0], yg[0]);
  }
}
