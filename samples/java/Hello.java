
import java.nio.file.Path;
import org.implicit4j.api.*;

public class Hello {
  public static void main(String[] args) {
    Verification v = Implicit.verify(Path.of("samples/mnist8.onnx"), VerifyOptions.defaults());
    System.out.println(v.report().summary());              // samples matched, max abs/rel error
    Implicit loop = v.model().then(Implicit.affine(new double[784][10], new double[784])).feedback(0.05);
    Rescaled r = loop.rescale(Defaults.KAPPA);              // ‖A‖∞ < 0.95, same predictions
    Prediction p = r.model().predict(new double[1][784], SolveOptions.defaults());
    System.out.println(r.report() + "\n" + p.report());     // method, iterations, residuals
  }
}
