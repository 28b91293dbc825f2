import org.implicit4j.api.Implicit;
import org.implicit4j.compose.Gain;
import org.implicit4j.solve.Anderson;
import org.implicit4j.solve.Picard;
import org.implicit4j.solve.SolverOptions;

/** A converted MLP fed back into itself through a small gain, made well-posed by rescaling. */
public class FeedbackLoop {
  public static void main(String[] args) {
    Implicit mlp = Implicit.load("samples/iris-mlp.onnx");
    Implicit loop = mlp.then(Implicit.affine(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}},
        new double[4])).feedback(Implicit.identity(4), Gain.scalar(0.05));
    System.out.println("before: " + loop.wellPosedness().verdict());
    Implicit scaled = loop.rescaled(0.95);
    System.out.println("after:  " + scaled.wellPosedness().verdict()
        + String.format(" (normInf %.4f)", scaled.wellPosedness().normInf()));
    double[] u = {5.1, 3.5, 1.4, 0.2};
    SolverOptions o = SolverOptions.defaults().withTolerance(1e-10);
    System.out.println(new Picard(o).solve(scaled.model(), u, 1).report());
    System.out.println(new Anderson(o).solve(scaled.model(), u, 1).report());
  }
}
