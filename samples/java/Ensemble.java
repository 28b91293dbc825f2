
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.api.Implicit;
import org.implicit4j.model.Activation;

/** Two networks on the same input: averaged, and gated (tanh(a) ⊙ sigmoid(b)). Usage as CascadeHead. */
public class Ensemble {
  public static void main(String[] args) {
    Path mnist = samples(args).resolve("mnist8.onnx");
    Implicit a = Implicit.load(mnist);
    Implicit b = Implicit.load(mnist).rescaled(0.9);
    Implicit mean = Implicit.parallel(a, b).sum(0.5, 0.5);
    Implicit gate = Implicit.parallel(a, b).product(Activation.TANH, Activation.SIGMOID);
    double[][] x = new double[1][784];
    java.util.Arrays.fill(x[0], 0.5);
    double[] ya = a.predict(x)[0];
    double[] ym = mean.predict(x)[0];
    double[] yg = gate.predict(x)[0];
    System.out.printf("a[0]=%.6f mean[0]=%.6f gate[0]=%.6f%n", ya[0], ym[0], yg[0]);
  }

  /** args[0], else the nearest samples/ folder above the working directory. */
  static Path samples(String[] args) {
    for (Path d = Path.of("").toAbsolutePath(); args.length == 0 && d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("samples/java"))) {
        return d.resolve("samples");
      }
    }
    return Path.of(args.length > 0 ? args[0] : "samples");
  }
}
