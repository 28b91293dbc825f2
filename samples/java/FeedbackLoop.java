
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.SolveOptions;

/** A converted MLP fed back into itself through a small gain, made well-posed by rescaling. Usage as CascadeHead. */
public class FeedbackLoop {
  public static void main(String[] args) {
    Implicit mlp = Implicit.load(samples(args).resolve("iris-mlp.onnx"));
    Implicit loop = mlp.then(Implicit.affine(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}},
        new double[4])).feedback(Implicit.identity(4), 0.05);
    System.out.println("before: " + loop.wellPosedness().verdict());
    Implicit scaled = loop.rescaled(0.95);
    System.out.println("after:  " + scaled.wellPosedness().verdict()
        + String.format(" (normInf %.4f)", scaled.wellPosedness().normInf()));
    double[][] u = {{5.1, 3.5, 1.4, 0.2}};
    SolveOptions o = SolveOptions.defaults().withTolerance(1e-10);
    System.out.println(scaled.predict(u, o.withSolver(SolveOptions.Solver.PICARD)).report());
    System.out.println(scaled.predict(u, o.withSolver(SolveOptions.Solver.ANDERSON)).report());
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
