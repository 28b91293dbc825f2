package org.implicit4j.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Locale;
import java.util.Random;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.Floats;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.SolvePlanSummary;
import org.implicit4j.solve.BackSubstitution;
import org.implicit4j.solve.SolvePlan;

/**
 * Where a network's time goes, layer by layer, on one core (run from the repository root):
 *
 * <pre>java -XX:ActiveProcessorCount=1 -Dimplicit4j.openblas.coretype=cpu -cp target/benchmarks.jar \
 *     org.implicit4j.bench.LayerRoofline [network [batch]]</pre>
 *
 * For each state block x_i (a layer), times its products Σ_j A_ij x_j + B_i u on the chunk of
 * samples back-substitution solves at a time for the batch ({@link BackSubstitution#chunk},
 * default batch 256), in float32 and in fp64, as the solve runs them, and ŷ's C x; prints
 * multiply-adds a sample, µs a sample, GFLOP/s, the share of all layers' time and fp64/fp32, and
 * ONNX Runtime's µs a sample for the same layer on one core at the same batch ({@link OrtLayers}:
 * its profiler's node times, attributed by the graph; nodes it cannot place are a row of their own,
 * as are all of a graph whose nodes have no names, such as mnistfc's). The
 * roof is the same tile kernel on a product that stays in L1 and L2 (18 samples × 64 × 256, a whole
 * number of 6-row blocks): what a layer reaches when nothing but its arithmetic bounds it, so a
 * GEMM-bound layer's fp64/fp32 is the ratio of the roofs (2.0 with AVX2's FMA: 8 float or 4 double
 * lanes). GFLOP/s count a convolution's direct multiply-adds: a Winograd layer does fewer and can
 * pass the roof. Max-pool trees, which the solve runs as pooling kernels, are shown but not
 * counted. Timed outside JMH on purpose: each product alone, float32 and fp64 in turns, best of 5
 * runs of 200 ms each, on one core so that no worker joins.
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
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    ImplicitModel m = OnnxImporter.importFile(Networks.path(net), ImportOptions.defaults()).model();
    int[] chunks = {BackSubstitution.chunk(m.withFloat32Kernels(), batch), BackSubstitution.chunk(m, batch)};
    double[] roof = roof();
    System.out.printf(Locale.ROOT, "%s at batch %d: chunks of %d (float32) and %d (fp64) samples, one core; roof"
        + " (18x64x256 in cache): %.1f GFLOP/s float32, %.1f fp64 (ratio %.2f)%n", net, batch, chunks[0], chunks[1],
        roof[0], roof[1], roof[0] / roof[1]);
    List<double[]> rows = layers(m, chunks);
    Map<String, Double> ort = OrtLayers.perLayer(Networks.path(net), batch,
        m.states().stream().map(StateBlock::name).collect(Collectors.toSet()));
    print(m, rows, ort);
    if (ort.isEmpty()) {
      System.out.println("ORT: the graph does not take a batch of " + batch + " (a fixed batch dimension); not profiled");
    }
  }

  /** The table: a row a layer, ORT's unplaced nodes, the totals over the layers the solve runs as products. */
  private static void print(ImplicitModel m, List<double[]> rows, Map<String, Double> ort) {
    System.out.printf(Locale.ROOT, "%-24s %12s %10s %9s %7s %10s %9s %7s %9s %9s %8s%n", "layer (state block)",
        "MACs/sample", "f32 us/s", "f32 GF/s", "share", "f64 us/s", "f64 GF/s", "share", "f64/f32", "ORT us/s",
        "f32/ORT");
    boolean[] pooled = pooled(m);
    List<double[]> counted = rows.stream().filter(r -> r[3] < 0 || !pooled[(int) r[3]]).toList();
    double t32 = counted.stream().mapToDouble(r -> r[1]).sum();
    double t64 = counted.stream().mapToDouble(r -> r[2]).sum();
    long macs = counted.stream().mapToLong(r -> (long) r[0]).sum();
    for (double[] r : rows) {
      boolean in = counted.contains(r);
      String layer = r[3] < 0 ? OrtLayers.OUTPUT : m.states().get((int) r[3]).name();
      Double o = ort.get(layer);
      System.out.printf(Locale.ROOT, "%-24s %12d %10.2f %9.1f %7s %10.2f %9.1f %7s %9.2f %9s %8s%n",
          (in ? "" : "*") + layer, (long) r[0], r[1], gflops(r[0], r[1]), in ? percent(r[1] / t32) : "-", r[2],
          gflops(r[0], r[2]), in ? percent(r[2] / t64) : "-", r[2] / r[1], o == null ? "-" : fixed(o),
          o == null ? "-" : fixed(r[1] / o));
    }
    if (ort.containsKey(OrtLayers.OTHER)) {
      System.out.printf(Locale.ROOT, "%-24s %12s %10s %9s %7s %10s %9s %7s %9s %9s%n", OrtLayers.OTHER, "", "", "", "",
          "", "", "", "", fixed(ort.get(OrtLayers.OTHER)));
    }
    double ortAll = ort.values().stream().mapToDouble(Double::doubleValue).sum();
    System.out.printf(Locale.ROOT, "%-24s %12d %10.2f %9.1f %7s %10.2f %9.1f %7s %9.2f %9s %8s%n", "all layers", macs,
        t32, gflops(macs, t32), "", t64, gflops(macs, t64), "", t64 / t32, ort.isEmpty() ? "-" : fixed(ortAll),
        ort.isEmpty() ? "-" : fixed(t32 / ortAll));
    if (counted.size() < rows.size()) {
      System.out.println("* in a max-pool tree, which the solve runs as one pooling kernel instead of these products;"
          + " not in the shares and totals");
    }
  }

  /**
   * {MACs a sample, float32 µs a sample, fp64 µs a sample, block or −1 for C} of each state block's
   * row of A and B, then of C, on chunks of {@code chunks} = {float32, fp64} samples; rows with no
   * work skipped.
   */
  static List<double[]> layers(ImplicitModel m, int[] chunks) {
    ImplicitModel m32 = m.withFloat32Kernels();
    int n = m.n();
    int p = m.p();
    int q = m.q();
    int c32 = chunks[0];
    int c64 = chunks[1];
    Random r = new Random(1);
    double[] x = fill(r, c64 * n);
    double[] u = fill(r, c64 * p);
    float[] x32 = Floats.rounded(fill(r, c32 * n));
    float[] u32 = Floats.rounded(fill(r, c32 * p));
    double[] y = new double[c64 * n];
    float[] y32 = new float[c32 * n];
    List<double[]> rows = new java.util.ArrayList<>();
    for (int i = 0; i < m.states().size(); i++) {
      int row = i;
      long macs = macs(m.a(), i) + macs(m.b(), i);
      double[] us = times(() -> {
        m32.a().multAddRow(row, x32, 0, n, y32, 0, n, c32);
        m32.b().multAddRow(row, u32, 0, p, y32, 0, n, c32);
      }, () -> {
        m.a().multAddRow(row, x, 0, n, y, 0, n, c64);
        m.b().multAddRow(row, u, 0, p, y, 0, n, c64);
      });
      rows.add(new double[] {macs, us[0] / c32, us[1] / c64, i});
    }
    double[] yq = new double[c64 * q];
    float[] yq32 = new float[c32 * q];
    double[] us = times(() -> m32.c().multAdd(x32, 0, n, yq32, 0, q, c32), () -> m.c().multAdd(x, 0, n, yq, 0, q, c64));
    rows.add(new double[] {Networks.macs(m.c()), us[0] / c32, us[1] / c64, -1});
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
    float[] u32 = Floats.rounded(u);
    double[] y = new double[18 * 64];
    float[] y32 = new float[18 * 64];
    double[] us = times(() -> m32.b().multAddRow(0, u32, 0, 256, y32, 0, 64, 18),
        () -> m.b().multAddRow(0, u, 0, 256, y, 0, 64, 18));
    return new double[] {gflops(64 * 256, us[0] / 18), gflops(64 * 256, us[1] / 18)};
  }

  /** Whether each state block is in a max-pool tree that the solve plan runs as a pooling kernel. */
  static boolean[] pooled(ImplicitModel m) {
    boolean[] in = new boolean[m.states().size()];
    for (SolvePlanSummary.PoolingKernel k : SolvePlan.summary(m).kernels()) {
      for (int i = Math.min(k.firstBlock(), k.lastBlock()); i <= Math.max(k.firstBlock(), k.lastBlock()); i++) {
        in[i] = true;
      }
    }
    return in;
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

  private static String fixed(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static double gflops(double macsPerSample, double usPerSample) {
    return 2 * macsPerSample / (usPerSample * 1e3);
  }

  private static double[] fill(Random r, int len) {
    double[] v = new double[len];
    for (int i = 0; i < len; i++) {
      v[i] = (float) (r.nextDouble() * 0.1); // float values: the float32 and fp64 runs multiply the same numbers
    }
    return v;
  }
}
