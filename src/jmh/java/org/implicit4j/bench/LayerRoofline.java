package org.implicit4j.bench;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;

/**
 * Where a network's time goes, layer by layer, on one core (run from the repository root):
 *
 * <pre>java -XX:ActiveProcessorCount=1 -Dimplicit4j.openblas.coretype=cpu -cp target/benchmarks.jar \
 *     org.implicit4j.bench.LayerRoofline [network [chunk]]</pre>
 *
 * For each state block x_i (a layer), times its products Σ_j A_ij x_j + B_i u on a chunk of
 * samples (default 16, the chunk back-substitution solves at a time) in float32 and in fp64, as
 * the solve runs them, and for ŷ's C x; prints multiply-adds a sample, µs a chunk, GFLOP/s, the
 * share of all layers' time and fp64/fp32. The roof it reports is the same tile kernel on a
 * product that stays in L1 and L2 (18 samples × 64 × 256, a whole number of 6-row blocks): what a
 * layer reaches when nothing but its arithmetic bounds it. A GEMM-bound layer's fp64/fp32 is then
 * the ratio of the two roofs (2.0 with AVX2's FMA: 8 float or 4 double lanes). Timed outside JMH on
 * purpose: each product alone, float32 and fp64 in turns, best of 5 runs of 200 ms each, on one
 * core so that no worker joins.
 */
public final class LayerRoofline {
  private static final long RUN_NANOS = 200_000_000L;

  private LayerRoofline() {}

  public static void main(String[] args) throws Exception {
    if (Runtime.getRuntime().availableProcessors() != 1) {
      System.err.println("LayerRoofline times one core: run it with java -XX:ActiveProcessorCount=1");
      System.exit(2);
    }
    String net = args.length > 0 ? args[0] : "mnistfc-256x2";
    int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    ImplicitModel m = OnnxImporter.importFile(Networks.path(net), ImportOptions.defaults()).model();
    double[] roof = roof();
    System.out.printf(Locale.ROOT, "%s, chunks of %d, one core; roof (18x64x256 in cache): %.1f GFLOP/s float32,"
        + " %.1f fp64 (ratio %.2f)%n", net, chunk, roof[0], roof[1], roof[0] / roof[1]);
    System.out.printf(Locale.ROOT, "%-24s %12s %10s %9s %7s %10s %9s %7s %9s%n", "layer (state block)", "MACs/sample",
        "f32 us", "f32 GF/s", "share", "f64 us", "f64 GF/s", "share", "f64/f32");
    List<double[]> rows = layers(m, chunk);
    double t32 = rows.stream().mapToDouble(r -> r[1]).sum();
    double t64 = rows.stream().mapToDouble(r -> r[2]).sum();
    long macs = 0;
    for (int i = 0; i < rows.size(); i++) {
      double[] r = rows.get(i);
      macs += (long) r[0];
      String name = i < m.states().size() ? m.states().get(i).name() : "output C x";
      System.out.printf(Locale.ROOT, "%-24s %12d %10.1f %9.1f %6.1f%% %10.1f %9.1f %6.1f%% %9.2f%n", name, (long) r[0],
          r[1], gflops(r[0], chunk, r[1]), 100 * r[1] / t32, r[2], gflops(r[0], chunk, r[2]), 100 * r[2] / t64,
          r[2] / r[1]);
    }
    System.out.printf(Locale.ROOT, "%-24s %12d %10.1f %9.1f %7s %10.1f %9.1f %7s %9.2f%n", "all layers", macs, t32,
        gflops(macs, chunk, t32), "", t64, gflops(macs, chunk, t64), "", t64 / t32);
  }

  /** {MACs a sample, float32 µs, fp64 µs} of each state block's row of A and B, then of C; rows with no work skipped. */
  static List<double[]> layers(ImplicitModel m, int chunk) {
    ImplicitModel m32 = m.withFloat32Kernels();
    int n = m.n();
    int p = m.p();
    int q = m.q();
    Random r = new Random(1);
    double[] x = fill(r, chunk * n);
    double[] u = fill(r, chunk * p);
    float[] x32 = floats(x);
    float[] u32 = floats(u);
    double[] y = new double[chunk * n];
    float[] y32 = new float[chunk * n];
    List<double[]> rows = new java.util.ArrayList<>();
    for (int i = 0; i < m.states().size(); i++) {
      int row = i;
      long macs = macs(m.a(), i) + macs(m.b(), i);
      double[] us = times(() -> {
        m32.a().multAddRow(row, x32, 0, n, y32, 0, n, chunk);
        m32.b().multAddRow(row, u32, 0, p, y32, 0, n, chunk);
      }, () -> {
        m.a().multAddRow(row, x, 0, n, y, 0, n, chunk);
        m.b().multAddRow(row, u, 0, p, y, 0, n, chunk);
      });
      rows.add(new double[] {macs, us[0], us[1]});
    }
    double[] yq = new double[chunk * q];
    float[] yq32 = new float[chunk * q];
    double[] us = times(() -> m32.c().multAdd(x32, 0, n, yq32, 0, q, chunk), () -> m.c().multAdd(x, 0, n, yq, 0, q, chunk));
    rows.add(new double[] {Networks.macs(m.c()), us[0], us[1]});
    rows.removeIf(row -> row[0] == 0);
    return rows;
  }

  /** {float32, fp64} GFLOP/s of the tile kernel on 18 samples × 64 × 256, a product that stays in cache. */
  static double[] roof() {
    Random r = new Random(2);
    DenseMatrix w = new DenseMatrix(64, 256, fill(r, 64 * 256));
    ImplicitModel.Builder b = ImplicitModel.builder(256, 64);
    int s = b.addState("roof", 64, org.implicit4j.model.Activation.IDENTITY);
    b.addB(s, w);
    b.addC(s, new DenseMatrix(64, 64, new double[64 * 64]));
    ImplicitModel m = b.build();
    ImplicitModel m32 = m.withFloat32Kernels();
    double[] u = fill(r, 18 * 256);
    float[] u32 = floats(u);
    double[] y = new double[18 * 64];
    float[] y32 = new float[18 * 64];
    double[] us = times(() -> m32.b().multAddRow(0, u32, 0, 256, y32, 0, 64, 18),
        () -> m.b().multAddRow(0, u, 0, 256, y, 0, 64, 18));
    return new double[] {gflops(64 * 256, 18, us[0]), gflops(64 * 256, 18, us[1])};
  }

  private static long macs(BlockMatrix b, int row) {
    return b.row(row).stream().mapToLong(k -> Networks.macs(k.op())).sum();
  }

  /**
   * {a, b}: µs a call of each, the best of 5 runs of {@link #RUN_NANOS} after one of warm-up, the two
   * taking turns so that the core's drift (tens of per cent over minutes here) reaches both alike.
   */
  static double[] times(Runnable a, Runnable b) {
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    for (int run = 0; run < 6; run++) {
      for (int k = 0; k < 2; k++) {
        Runnable body = k == 0 ? a : b;
        long t0 = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - t0 < RUN_NANOS) {
          body.run();
          calls++;
        }
        double us = (System.nanoTime() - t0) / 1e3 / calls;
        best[k] = run == 0 ? best[k] : Math.min(best[k], us);
      }
    }
    return best;
  }

  private static double gflops(double macsPerSample, int chunk, double us) {
    return 2 * macsPerSample * chunk / (us * 1e3);
  }

  private static double[] fill(Random r, int len) {
    double[] v = new double[len];
    for (int i = 0; i < len; i++) {
      v[i] = (float) (r.nextDouble() * 0.1); // float values: the float32 and fp64 runs multiply the same numbers
    }
    return v;
  }

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
