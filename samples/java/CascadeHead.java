
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.Prediction;
import org.implicit4j.api.SolveOptions;

/**
 * A converted MNIST CNN with a linear head that keeps logits 0 and 1 and their difference.
 * Run from anywhere: java -cp implicit4j.jar CascadeHead.java [SAMPLES_DIR] (default: the samples
 * folder of the checkout around the working directory).
 */
public class CascadeHead {
  public static void main(String[] args) {
    Implicit cnn = Implicit.load(samples(args).resolve("mnist8.onnx"));
    double[][] head = new double[3][10];
    head[0][0] = 1;
    head[1][1] = 1;
    head[2][0] = 1;
    head[2][1] = -1;
    Implicit net = cnn.then(Implicit.affine(head, new double[3]));
    double[][] x = new double[1][784];
    for (int i = 0; i < 784; i++) {
      x[0][i] = (i % 28) / 28.0;
    }
    Prediction p = net.predict(x, SolveOptions.defaults());
    System.out.println("n=" + net.model().n() + " triangular=" + net.model().isStrictlyUpperTriangular());
    System.out.println(net.wellPosedness().verdict());
    System.out.printf("y=%.6f,%.6f,%.6f%n", p.outputs()[0][0], p.outputs()[0][1], p.outputs()[0][2]);
    System.out.println(p.report());
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
