package org.implicit4j.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.implicit4j.analysis.LpRelaxation;
import org.implicit4j.analysis.Robustness;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Robustness analysis costs (issue targets: S of ResNet-20 under 5 s; one LP for one (input,
 * target) on the Fashion-MNIST MLP under 1 s): S by 10 transposed |A| solves on ResNet-20
 * (n = 188,416), the state bounds σx of one input, and the LP relaxation with GLOP and PDLP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-Dimplicit4j.openblas.coretype=cpu"})
public class RobustnessBench {
  private ImplicitModel resnet;
  private ImplicitModel mlp;
  private LpRelaxation lp;
  private LpRelaxation.Query query;
  private double[] sigmaResnet;

  @Setup
  public void setup() throws Exception {
    resnet = OnnxImporter.importFile(Path.of("src/test/resources/fixtures/resnet20-cifar.onnx"),
        ImportOptions.defaults()).model();
    sigmaResnet = new double[resnet.p()];
    Arrays.fill(sigmaResnet, 1e-3);
    mlp = OnnxImporter.importFile(Path.of("src/test/resources/fixtures/fashion-mlp-opset13.onnx"),
        ImportOptions.defaults()).model();
    Random r = new Random(1);
    double[] u0 = new double[784];
    for (int j = 0; j < u0.length; j++) {
      u0[j] = r.nextDouble();
    }
    double[] sigma = new double[784];
    Arrays.fill(sigma, 0.1);
    Solution s = Solvers.solve(mlp, u0, 1);
    int y = Solution.argmax(s.output(0));
    lp = LpRelaxation.of(mlp);
    query = new LpRelaxation.Query(new LpRelaxation.Box(u0, sigma, 0, 1), s.state(0),
        Robustness.stateBounds(mlp, sigma, 1), 20, y, (y + 1) % 10);
  }

  @Benchmark
  public SensitivityMatrix resnet20Sensitivity() {
    return Robustness.sensitivity(resnet);
  }

  @Benchmark
  public double[] resnet20StateBounds() {
    return Robustness.stateBounds(resnet, sigmaResnet, 1);
  }

  @Benchmark
  public LpRelaxation.Result fashionMlpLpGlop() {
    return lp.solve(query, LpRelaxation.Backend.GLOP);
  }

  @Benchmark
  public LpRelaxation.Result fashionMlpLpPdlp() {
    return lp.solve(query, LpRelaxation.Backend.PDLP);
  }
}
