import org.implicit4j.api.Implicit;
import org.implicit4j.solve.Solution;

/** A converted MNIST CNN with a linear head that keeps logits 0 and 1 and their difference. */
public class CascadeHead {
  public static void main(String[] args) {
    Implicit cnn = Implicit.load("samples/mnist8.onnx");
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
    Solution s = net.solve(x);
    System.out.println("n=" + net.model().n() + " triangular=" + net.model().isStrictlyUpperTriangular());
    System.out.println(net.wellPosedness().verdict());
    System.out.printf("y=%.6f,%.6f,%.6f%n", s.output(0)[0], s.output(0)[1], s.output(0)[2]);
    System.out.println(s.report());
  }
}
