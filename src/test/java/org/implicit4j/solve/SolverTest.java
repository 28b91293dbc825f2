package org.implicit4j.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.implicit4j.TestModels;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.junit.jupiter.api.Test;

class SolverTest {
  private static final SolverOptions OPTS = SolverOptions.defaults().withTolerance(1e-14);

  private static void assertRelClose(double[] expected, double[] actual, double rel, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      double tol = rel * Math.max(1, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], tol, what + " [" + i + "]");
    }
  }

  private static double[] batchOf(double[][] rows) {
    int w = rows[0].length;
    double[] f = new double[rows.length * w];
    for (int s = 0; s < rows.length; s++) {
      System.arraycopy(rows[s], 0, f, s * w, w);
    }
    return f;
  }

  @Test
  void mlpSolvedThreeWaysMatchesDirectForwardPass() {
    Random r = new Random(1);
    TestModels.Mlp mlp = TestModels.Mlp.random(r, 12, 20, 16, 5);
    ImplicitModel m = mlp.implicit();
    assertTrue(m.isStrictlyUpperTriangular());
    double[][] u = new double[9][];
    for (int s = 0; s < u.length; s++) {
      u[s] = TestModels.randn(r, 12, 1);
    }
    for (Solver solver : new Solver[] {new BackSubstitution(OPTS), new Picard(OPTS), new Anderson(OPTS)}) {
      Solution sol = solver.solve(m, batchOf(u), u.length);
      assertTrue(sol.report().converged());
      for (int s = 0; s < u.length; s++) {
        assertRelClose(mlp.forward(u[s]), sol.output(s), 1e-12, solver.name() + " sample " + s);
      }
    }
    // On a strictly triangular A Picard reaches the exact fixed point in depth + 1 map evaluations.
    assertEquals(3, new Picard(OPTS).solve(m, batchOf(u), u.length).report().iterations());
  }

  /**
   * predict keeps each thread's state buffer between solves: a model solved after a larger one, in
   * double and in float32, finds that model's states in the buffer and must read none of them.
   */
  @Test
  void predictReusesStateBuffersWithoutReadingStaleStates() {
    Random r = new Random(5);
    TestModels.Mlp big = TestModels.Mlp.random(r, 12, 60, 50, 5);
    TestModels.Mlp small = TestModels.Mlp.random(r, 12, 20, 16, 5);
    double[][] u = new double[7][];
    for (int s = 0; s < u.length; s++) {
      u[s] = TestModels.randn(r, 12, 1);
    }
    BackSubstitution bs = new BackSubstitution(OPTS);
    for (TestModels.Mlp mlp : new TestModels.Mlp[] {big, small, big, small}) {
      for (ImplicitModel m : new ImplicitModel[] {mlp.implicit(), mlp.implicit().withFloat32Kernels()}) {
        Predictions p = bs.predict(m, batchOf(u), u.length);
        for (int s = 0; s < u.length; s++) {
          assertRelClose(mlp.forward(u[s]), p.output(s), m.isFloat32() ? 1e-5 : 1e-12, "sample " + s);
        }
      }
    }
  }

  /**
   * The chunks cover the batch once, in order, none larger than asked; full while more than one per
   * thread is left, shrinking after, to a last chunk of at most a quarter of one.
   */
  @Test
  void chunksCoverTheBatchAndShortenAtTheEnd() {
    for (int threads : new int[] {1, 2, 3}) {
      for (int chunk : new int[] {1, 2, 3, 7, 10, 16}) {
        for (int batch = 1; batch <= 150; batch++) {
          int[] s = BackSubstitution.chunkStarts(batch, chunk, threads);
          String what = "batch " + batch + ", chunk " + chunk + ", threads " + threads;
          assertEquals(0, s[0], what);
          assertEquals(batch, s[s.length - 1], what);
          int least = (chunk + 3) / 4;
          for (int c = 1; c < s.length; c++) {
            int size = s[c] - s[c - 1];
            assertTrue(size >= 1 && size <= chunk, what + ": chunk " + c + " has " + size);
            assertTrue(c == s.length - 1 || size >= least, what + ": chunk " + c + " has " + size);
            assertTrue(c == 1 || size <= s[c - 1] - s[Math.max(0, c - 2)], what + ": chunk " + c + " grew");
          }
          if (batch > threads * chunk) {
            assertEquals(chunk, s[1], what + ": the first chunk is full");
            assertTrue(s[s.length - 1] - s[s.length - 2] <= least, what + ": the last chunk is short");
          }
        }
      }
    }
  }

  @Test
  void residualCnnSolvedThreeWaysMatchesDirectForwardPass() {
    Random r = new Random(2);
    TestModels.ResCnn net = TestModels.ResCnn.random(r);
    ImplicitModel m = net.implicit();
    assertTrue(m.isStrictlyUpperTriangular());
    double[][] u = new double[4][];
    for (int s = 0; s < u.length; s++) {
      u[s] = TestModels.randn(r, 72, 1);
    }
    for (Solver solver : new Solver[] {new BackSubstitution(OPTS), new Picard(OPTS), new Anderson(OPTS)}) {
      Solution sol = solver.solve(m, batchOf(u), u.length);
      for (int s = 0; s < u.length; s++) {
        assertRelClose(net.forward(u[s]), sol.output(s), 1e-12, solver.name() + " sample " + s);
      }
    }
  }

  /**
   * Back-substitution checks its exact result on the first and last sample only (the report says
   * so); a non-finite state in any other sample still fails the solve.
   */
  @Test
  void backSubstitutionChecksTwoSamplesAndRefusesNonFiniteStatesAnywhere() {
    Random r = new Random(4);
    ImplicitModel m = TestModels.Mlp.random(r, 6, 8, 7, 5).implicit();
    double[][] u = new double[7][];
    for (int s = 0; s < u.length; s++) {
      u[s] = TestModels.randn(r, 6, 1);
    }
    Solution sol = new BackSubstitution(OPTS).solve(m, batchOf(u), u.length);
    assertEquals(2, sol.report().checkedSamples());
    assertTrue(sol.report().absResidual() <= 1e-12, sol.report().toString());
    assertTrue(sol.report().toString().contains("residual of 2 of the samples"), sol.report().toString());
    u[3][2] = Double.POSITIVE_INFINITY;
    assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).solve(m, batchOf(u), u.length));
  }

  /**
   * predict keeps a chunk of states per thread instead of the batch's; its predictions are the
   * solve's, bit for bit, and the forward pass's, for batches cut into one or several chunks.
   */
  @Test
  void predictionsWithoutStatesAreTheSolvesAndTheForwardPass() {
    Random r = new Random(6);
    TestModels.ResCnn net = TestModels.ResCnn.random(r);
    ImplicitModel m = net.implicit();
    for (int batch : new int[] {1, 2, 37}) {
      double[][] u = new double[batch][];
      for (int s = 0; s < batch; s++) {
        u[s] = TestModels.randn(r, 72, 1);
      }
      Predictions p = new BackSubstitution(OPTS).predict(m, batchOf(u), batch);
      Solution sol = new BackSubstitution(OPTS).solve(m, batchOf(u), batch);
      org.junit.jupiter.api.Assertions.assertArrayEquals(sol.outputs(), p.outputs(), "batch " + batch);
      assertEquals(Math.min(batch, 2), p.report().checkedSamples());
      assertTrue(p.report().converged() && p.report().absResidual() <= 1e-12, p.report().toString());
      for (int s = 0; s < batch; s++) {
        assertRelClose(net.forward(u[s]), p.output(s), 1e-12, "batch " + batch + " sample " + s);
      }
      u[batch / 2][5] = Double.NaN;
      assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(m, batchOf(u), batch));
    }
  }

  /**
   * A float32 model's predictions are solved with float32 states (as ONNX Runtime runs it): they
   * agree with the forward pass to float precision, are a fixed point of the float map, and still
   * refuse a NaN anywhere in the batch.
   */
  @Test
  void float32ModelsPredictWithFloatStates() {
    Random r = new Random(7);
    TestModels.ResCnn net = TestModels.ResCnn.random(r);
    ImplicitModel m = net.implicit();
    ImplicitModel m32 = m.withFloat32Kernels();
    assertTrue(m32.isFloat32() && !m.isFloat32() && m32.withProvenance(m.provenance()).isFloat32());
    double[][] u = new double[37][];
    for (int s = 0; s < u.length; s++) {
      u[s] = TestModels.randn(r, 72, 1);
    }
    Predictions p = new BackSubstitution(OPTS).predict(m32, batchOf(u), u.length);
    for (int s = 0; s < u.length; s++) {
      assertRelClose(net.forward(u[s]), p.output(s), 1e-4, "sample " + s);
    }
    // the check re-evaluates g on the float states with the float kernels: a fixed point of that map
    assertTrue(p.report().converged() && p.report().relResidual() < 1e-6, p.report().toString());
    u[20][3] = Double.NaN;
    assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(m32, batchOf(u), u.length));
  }

  /**
   * Float inputs give the outputs and report of the same values widened to double, bit for bit:
   * read in place by a float32 model (convolutions, dense tiles, and a D u term summed in double),
   * widened by an fp64 one and by a solver that iterates; a NaN among them is still refused.
   */
  @Test
  void floatInputsGiveTheOutputsOfTheirWidenedValues() {
    Random r = new Random(8);
    ImplicitModel conv = TestModels.ResCnn.random(r).implicit();
    ImplicitModel withD = withFeedThrough(r);
    for (ImplicitModel m : new ImplicitModel[] {conv, conv.withFloat32Kernels(), withD, withD.withFloat32Kernels()}) {
      for (int batch : new int[] {1, 37}) {
        float[] f = new float[batch * m.p()];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) r.nextGaussian();
        }
        Predictions got = new BackSubstitution(OPTS).predict(m, f, batch);
        Predictions want = new BackSubstitution(OPTS).predict(m, widened(f), batch);
        String what = (m.isFloat32() ? "float32 " : "fp64 ") + "p=" + m.p() + " batch " + batch;
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.outputs(), got.outputs(), what);
        assertEquals(want.report(), got.report(), what);
        f[f.length / 2] = Float.NaN;
        assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(m, f, batch), what);
      }
    }
    ImplicitModel looped = TestModels.randomDense(r, 6, 3, 2, 0.5, Activation.TANH);
    float[] f = {0.5f, -1.25f, 2f, 1f, 0f, -0.75f};
    org.junit.jupiter.api.Assertions.assertArrayEquals(Solvers.auto(OPTS).predict(looped, widened(f), 2).outputs(),
        Solvers.auto(OPTS).predict(looped, f, 2).outputs());
    assertThrows(org.implicit4j.linalg.DimensionMismatchException.class,
        () -> new BackSubstitution(OPTS).predict(conv, new float[conv.p() + 1], 1));
    // a NaN in an input that no product reads is refused too: predict checks the inputs themselves
    ImplicitModel.Builder b = ImplicitModel.builder(2, 1);
    int x = b.addState("x", 1, Activation.RELU);
    b.addB(x, org.implicit4j.linalg.CsrMatrix.selection(new int[] {0}, 2));
    b.addC(x, new org.implicit4j.linalg.DenseMatrix(1, 1, new double[] {1}));
    ImplicitModel firstOnly = b.build();
    for (ImplicitModel m : new ImplicitModel[] {firstOnly, firstOnly.withFloat32Kernels()}) {
      assertEquals(2.0, new BackSubstitution(OPTS).predict(m, new float[] {2, 7}, 1).output(0)[0]);
      assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(m, new float[] {2, Float.NaN}, 1));
      assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(m, new double[] {2, Double.NaN}, 1));
    }
  }

  /** x₁ = ReLU(B₁u), x₀ = tanh(A₀₁x₁ + B₀u); ŷ = C₀x₀ + Du: a model whose inputs also reach ŷ directly. */
  private static ImplicitModel withFeedThrough(Random r) {
    ImplicitModel.Builder b = ImplicitModel.builder(300, 3);
    int x0 = b.addState("x0", 20, Activation.TANH);
    int x1 = b.addState("x1", 30, Activation.RELU);
    b.addA(x0, x1, dense(r, 20, 30));
    b.addB(x0, dense(r, 20, 300));
    b.addB(x1, dense(r, 30, 300));
    b.addC(x0, dense(r, 3, 20));
    b.addD(dense(r, 3, 300));
    return b.build();
  }

  private static org.implicit4j.linalg.DenseMatrix dense(Random r, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian() / Math.sqrt(cols);
    }
    return new org.implicit4j.linalg.DenseMatrix(rows, cols, v);
  }

  private static double[] widened(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /**
   * A state that overflows to +∞: u·w with u = 1e10 past the largest double or float. Where it
   * reaches an output (C reads it) predict refuses the batch, in fp64 and float32; where it only
   * feeds ReLU(−x), which is 0 at −∞ as at any large value, predict returns that IEEE result (its
   * check reads inputs and outputs), while solve, which returns the states, refuses the ∞ state.
   */
  @Test
  void overflowedStatesAreRefusedWhereTheyReachAnOutputOrAreReturned() {
    for (boolean fp32 : new boolean[] {false, true}) {
      double w = fp32 ? 1e30 : 1e300;
      double[] u = {1, 1e10, 1}; // the middle sample: the first and last have their residual measured on the states
      ImplicitModel reaching = overflowing(w, true, fp32);
      assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).predict(reaching, u, 3), "fp32 " + fp32);
      ImplicitModel absorbed = overflowing(w, false, fp32);
      Predictions p = new BackSubstitution(OPTS).predict(absorbed, u, 3);
      assertEquals(0.0, p.output(1)[0], "fp32 " + fp32);
      assertTrue(p.report().converged(), p.report().toString());
      assertThrows(ConvergenceException.class, () -> new BackSubstitution(OPTS).solve(absorbed, u, 3), "fp32 " + fp32);
      assertTrue(new BackSubstitution(OPTS).predict(absorbed, new double[] {1, 1, 1}, 3).report().converged());
    }
  }

  /** x₀ = ReLU(−x₁), x₁ = ReLU(w·u); ŷ = x₀ (+ x₁ when {@code reaching}). */
  private static ImplicitModel overflowing(double w, boolean reaching, boolean fp32) {
    ImplicitModel.Builder b = ImplicitModel.builder(1, 1);
    int x0 = b.addState("x0", 1, Activation.RELU);
    int x1 = b.addState("x1", 1, Activation.RELU);
    b.addA(x0, x1, new org.implicit4j.linalg.DenseMatrix(1, 1, new double[] {-1}));
    b.addB(x1, new org.implicit4j.linalg.DenseMatrix(1, 1, new double[] {w}));
    b.addC(x0, new org.implicit4j.linalg.DenseMatrix(1, 1, new double[] {1}));
    if (reaching) {
      b.addC(x1, new org.implicit4j.linalg.DenseMatrix(1, 1, new double[] {1}));
    }
    ImplicitModel m = b.build();
    return fp32 ? m.withFloat32Kernels() : m;
  }

  /** A batch whose states overflow an array is refused, naming the batch, before anything is allocated. */
  @Test
  void statesBeyondOneArrayAreRefusedBeforeAllocating() {
    ImplicitModel.Builder b = ImplicitModel.builder(1, 1);
    int x = b.addState("x", 1 << 16, Activation.RELU);
    b.addB(x, new org.implicit4j.linalg.DenseMatrix(1 << 16, 1, new double[1 << 16]));
    b.addC(x, new org.implicit4j.linalg.DenseMatrix(1, 1 << 16, new double[1 << 16]));
    ImplicitModel m = b.build();
    int batch = 40_000; // 40,000 × 65,536 states > 2³¹
    for (Solver s : new Solver[] {new BackSubstitution(OPTS), new Picard(OPTS)}) {
      BatchTooLargeException e = assertThrows(BatchTooLargeException.class, () -> s.solve(m, new double[batch], batch));
      assertTrue(e.getMessage().contains("40000 samples") && e.getMessage().contains("--batch-size"), e.getMessage());
    }
  }

  @Test
  void andersonNeedsFewerIterationsThanPicardAtNorm095() {
    Random r = new Random(3);
    ImplicitModel m = TestModels.randomDense(r, 60, 8, 4, 0.95, Activation.TANH, true);
    double[] u = TestModels.randn(r, 8 * 6, 1);
    SolverOptions o = SolverOptions.defaults().withTolerance(1e-10);
    Solution p = new Picard(o).solve(m, u, 6);
    Solution a = new Anderson(o).solve(m, u, 6);
    assertTrue(a.report().iterations() < p.report().iterations(),
        "anderson " + a.report().iterations() + " vs picard " + p.report().iterations());
    for (int i = 0; i < p.outputs().length; i++) {
      assertEquals(p.outputs()[i], a.outputs()[i], 1e-8 * Math.max(1, Math.abs(p.outputs()[i])));
    }
    // Independent check of the equilibrium: x = tanh(Ax + Bu + b) holds at Anderson's answer.
    double[] x = a.state(0);
    double[] z = m.stateBias();
    m.a().multAdd(x, 0, 60, z, 0, 60, 1);
    m.b().multAdd(u, 0, 8, z, 0, 60, 1);
    for (int i = 0; i < 60; i++) {
      assertEquals(Math.tanh(z[i]), x[i], 1e-9);
    }
  }

  @Test
  void divergingModelThrowsWithIterationsAndResidual() {
    // x = relu(1.5x + 1) has no solution: x ≥ 0 would need x = −2. λpf(|A|) = 1.5.
    ImplicitModel.Builder b = ImplicitModel.builder(1, 1);
    int x = b.addState("x", 4, Activation.RELU);
    b.addA(x, x, org.implicit4j.linalg.DiagonalMatrix.scalar(4, 1.5));
    b.addStateBias(x, new double[] {1, 1, 1, 1});
    ImplicitModel m = b.build();
    SolverOptions o = SolverOptions.defaults().withMaxIterations(50);
    for (Solver s : new Solver[] {new Picard(o), new Anderson(o)}) {
      ConvergenceException e = assertThrows(ConvergenceException.class, () -> s.solve(m, new double[] {0}, 1));
      assertFalse(e.report().converged());
      assertTrue(e.report().iterations() > 0 && e.report().iterations() <= 50, e.getMessage());
      assertTrue(e.getMessage().contains("iteration") && e.getMessage().contains("residual"), e.getMessage());
      assertTrue(!(e.report().absResidual() < 1e-6), "residual " + e.report().absResidual());
    }
  }

  @Test
  void backSubstitutionRefusesNonTriangularModels() {
    ImplicitModel m = TestModels.randomDense(new Random(5), 5, 2, 2, 0.5, Activation.RELU);
    assertThrows(BackSubstitution.NotTriangularException.class, () -> new BackSubstitution(OPTS).solve(m, new double[2], 1));
    assertEquals("anderson", Solvers.solve(m, new double[2], 1).report().method());
    assertEquals("anderson", Solvers.predict(m, new double[2], 1).report().method());
  }

  @Test
  void unknownSolverNameListsValidNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Solvers.named("newton", OPTS));
    assertTrue(e.getMessage().contains("anderson"), e.getMessage());
  }
}
