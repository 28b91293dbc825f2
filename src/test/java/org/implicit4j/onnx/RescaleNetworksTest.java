package org.implicit4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.implicit4j.analysis.RescaleException;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.analysis.RescalerTest;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.solve.Picard;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ReLU/LeakyReLU network of ../shared/models and the ResNet-20 fixture, rescaled to κ = 0.95:
 * ‖A'‖∞ &lt; 0.95 by independent row sums, predictions unchanged (1e-9 relative, double precision, 100
 * inputs), still strictly triangular, and Picard (ignoring triangularity) reaches the same prediction.
 * The sigmoid network is refused, naming its blocks.
 */
class RescaleNetworksTest {
  static Stream<String> networks() throws IOException {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(SharedModelsTest.SHARED)) {
      try (Stream<Path> s = Files.list(SharedModelsTest.SHARED)) {
        s.filter(p -> Files.exists(p.resolve("model.onnx"))).forEach(p -> names.add(p.resolve("model.onnx").toString()));
      }
    }
    names.add(FixturesTest.FIXTURES.resolve("resnet20-cifar.onnx").toString());
    names.sort(null);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void rescaledNetworkPredictsTheSame(String file) throws IOException {
    ImplicitModel m = OnnxImporter.importFile(Path.of(file), ImportOptions.defaults()).model();
    boolean homogeneous = m.states().stream().map(StateBlock::activation).allMatch(a -> a.positivelyHomogeneous());
    if (!homogeneous) {
      RescaleException e = assertThrows(RescaleException.class, () -> Rescaler.rescale(m, 0.95));
      assertTrue(e.getMessage().contains("(sigmoid)") && e.getMessage().contains("not positively homogeneous"),
          e.getMessage());
      return;
    }
    long t0 = System.nanoTime();
    Rescaler.Result r = Rescaler.rescale(m, 0.95);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    ImplicitModel s = r.model();
    double norm = m.n() == 0 ? 0 : RescalerTest.independentNormInf(s);
    assertTrue(norm < 0.95, file + ": " + norm);
    assertTrue(s.isStrictlyUpperTriangular());
    double[] u = new double[100 * m.p()];
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < u.length; i++) {
      u[i] = rnd.nextDouble();
    }
    double[] y = Solvers.solve(m, u, 100).outputs();
    double[] ys = Solvers.solve(s, u, 100).outputs();
    double scale = 0;
    for (double v : y) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], ys[i], 1e-9 * Math.max(scale, 1e-300), file + " output " + i);
    }
    Solution p = new Picard(SolverOptions.defaults()).solve(s, java.util.Arrays.copyOf(u, 10 * m.p()), 10);
    for (int i = 0; i < p.outputs().length; i++) {
      assertEquals(y[i], p.outputs()[i], 1e-9 * Math.max(scale, 1e-300), file + " picard output " + i);
    }
    System.out.printf("rescale %-70s n=%-7d \u2016A\u2016\u221e %.4g -> %.6f in %d ms; Picard %d iterations (%d blocks)%n",
        file, m.n(), r.report().normBefore(), norm, ms, p.report().iterations(), m.states().size());
  }
}
