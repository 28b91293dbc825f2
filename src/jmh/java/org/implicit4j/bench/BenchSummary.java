package org.implicit4j.bench;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.implicit4j.analysis.PerronRoot;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.compose.Compose;
import org.implicit4j.compose.Gain;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.solve.Anderson;
import org.implicit4j.solve.Picard;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.verify.OrtVerifier;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The one-command benchmark summary (run from the repository root):
 *
 * <pre>java -cp target/benchmarks.jar org.implicit4j.bench.BenchSummary [quick]</pre>
 *
 * Runs {@link NetworkBench} through JMH (batch 1 and 256), then times import, rescaling and heap
 * per network, Picard against Anderson on a feedback model with ‖A‖∞ = 0.95, and ResNet-20's
 * import + rescale + verify end to end. Prints a table and writes target/bench-summary.csv.
 */
public final class BenchSummary {
  private BenchSummary() {}

  public static void main(String[] args) throws Exception {
    boolean quick = args.length > 0 && args[0].equals("quick");
    OptionsBuilder ob = new OptionsBuilder();
    ob.include(NetworkBench.class.getName() + "\\.(implicit4j|implicit4jFloat32|onnxRuntime)$");
    if (quick) {
      ob.warmupIterations(1).measurementIterations(2).param("batch", "1", "64");
    }
    Options opt = ob.build();
    Collection<RunResult> results = new Runner(opt).run();
    // key net|batch -> {i4j µs, ort µs, i4j fp32 µs} on the native path, then {i4j µs, ort µs, fp32 µs} in pure Java
    Map<String, double[]> perInput = new LinkedHashMap<>();
    for (RunResult r : results) {
      String net = r.getParams().getParam("network");
      int batch = Integer.parseInt(r.getParams().getParam("batch"));
      String bench = r.getParams().getBenchmark();
      int slot = bench.endsWith("onnxRuntime") ? 1 : bench.endsWith("Float32") ? 2 : 0;
      boolean nat = Boolean.parseBoolean(r.getParams().getParam("nativeBlas"));
      double us = r.getPrimaryResult().getScore() / batch;
      perInput.computeIfAbsent(net + "|" + batch, k -> new double[6])[slot + (nat ? 0 : 3)] = us;
    }
    double ghz = cpuGhz();
    int cores = Runtime.getRuntime().availableProcessors();
    boolean avx512 = cpuFlag("avx512f");
    // 2 FMA pipes x 8 (AVX2) or 16 (AVX-512, full width) float lanes x 2 flops; a nominal ceiling
    double peak32 = cores * ghz * 2 * (avx512 ? 16 : 8) * 2;
    double peak64 = peak32 / 2;
    StringBuilder csv = new StringBuilder(
        "network,batch,macs_per_input,implicit4j_us_per_input,implicit4j_fp32_us_per_input,ort_us_per_input,ratio,"
            + "ratio_fp32,implicit4j_gflops,implicit4j_fp32_gflops,ort_gflops,import_ms,rescale_ms,model_heap_mb,"
            + "java_us_per_input,java_fp32_us_per_input\n");
    System.out.printf(Locale.ROOT, "%nnominal peak (%d cores, %.2f GHz, %s FMA): %.0f GFLOP/s fp32, %.0f GFLOP/s fp64%n",
        cores, ghz, avx512 ? "AVX-512" : "AVX2", peak32, peak64);
    System.out.printf(Locale.ROOT, "(i4j and fp32: the native OpenBLAS path; Java and Java32: the pure-Java kernels)%n");
    System.out.printf(Locale.ROOT, "%-22s %6s %11s %10s %10s %10s %8s %8s %8s %8s %8s %9s %10s %8s %10s %10s%n", "network",
        "batch", "MACs/input", "i4j us/in", "fp32 us/in", "ORT us/in", "i4j/ORT", "fp32/ORT", "i4j GF/s", "fp32 GF/s",
        "ORT GF/s", "import ms", "rescale ms", "heap MB", "Java us/in", "Java32 us");
    for (String net : Networks.FILES.keySet()) {
      Path file = Networks.path(net);
      long[] times = importAndRescale(file);
      ImplicitModel m = OnnxImporter.importFile(file, ImportOptions.defaults()).model();
      long macs = Networks.macs(m);
      for (Map.Entry<String, double[]> e : perInput.entrySet()) {
        if (!e.getKey().startsWith(net + "|")) {
          continue;
        }
        int batch = Integer.parseInt(e.getKey().substring(net.length() + 1));
        double[] v = e.getValue();
        double gfI = 2.0 * macs / (v[0] * 1e3);
        double gf32 = 2.0 * macs / (v[2] * 1e3);
        double gfO = 2.0 * macs / (v[1] * 1e3);
        System.out.printf(Locale.ROOT, "%-22s %6d %11d %10.1f %10.1f %10.1f %8.2f %8.2f %8.2f %8.2f %8.2f %9d %10d %8.1f "
            + "%10.1f %10.1f%n", net, batch, macs, v[0], v[2], v[1], v[0] / v[1], v[2] / v[1], gfI, gf32, gfO, times[0],
            times[1], times[2] / 1e6, v[3], v[5]);
        csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f,%.4f,%.4f,%.3f,%.3f,%.3f,%d,%d,%.2f,%.3f,%.3f%n", net,
            batch, macs, v[0], v[2], v[1], v[0] / v[1], v[2] / v[1], gfI, gf32, gfO, times[0], times[1], times[2] / 1e6,
            v[3], v[5]));
      }
    }
    String fb = feedback();
    String e2e = resnetEndToEnd();
    System.out.println(fb);
    System.out.println(e2e);
    csv.append("# ").append(fb.replace("\n", "\n# ")).append('\n').append("# ").append(e2e).append('\n');
    Path out = Path.of("target", "bench-summary.csv");
    Files.createDirectories(out.getParent());
    Files.writeString(out, csv);
    System.out.println("wrote " + out);
  }

  /** {import ms, rescale ms, heap bytes} of one network, best of three after a warm-up. */
  static long[] importAndRescale(Path file) throws IOException {
    long imp = Long.MAX_VALUE;
    long res = Long.MAX_VALUE;
    long heap = 0;
    for (int i = 0; i < 4; i++) {
      System.gc();
      long before = used();
      long t0 = System.nanoTime();
      ImplicitModel m = OnnxImporter.importFile(file, ImportOptions.defaults()).model();
      long t1 = System.nanoTime();
      System.gc();
      heap = used() - before;
      long t2 = System.nanoTime();
      Rescaler.rescale(m, 0.95);
      long t3 = System.nanoTime();
      if (i > 0) {
        imp = Math.min(imp, (t1 - t0) / 1_000_000);
        res = Math.min(res, (t3 - t2) / 1_000_000);
      }
      if (m.n() < 0) {
        throw new IllegalStateException();
      }
    }
    return new long[] {imp, res, heap};
  }

  private static long used() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /**
   * The digits MLP (64-32-32-10, trained; its ReLUs stay active on uniform inputs, unlike
   * mnistfc-256x2 whose first layer is dead on them) with its 10 outputs fed back onto its 64 inputs
   * through a random map, the gain tuned by bisection so that λpf(|A|) = 0.95, then rescaled so
   * that ‖A'‖∞ = 0.95. Picard against Anderson to a 1e-8 residual on 16 inputs.
   */
  static String feedback() throws IOException {
    ImplicitModel mlp = OnnxImporter.importFile(Path.of("src/test/resources/fixtures/digits-mlp-opset9.onnx"),
        ImportOptions.defaults()).model();
    int p = mlp.p();
    Random r = new Random(3);
    double[] back = new double[p * 10];
    for (int i = 0; i < back.length; i++) {
      back[i] = r.nextGaussian() / 10;
    }
    ImplicitModel loopBack = Compose.affine(new DenseMatrix(p, 10, back), new double[p]);
    double lo = 0;
    double hi = 100;
    ImplicitModel fb = null;
    for (int it = 0; it < 40; it++) {
      double g = (lo + hi) / 2;
      fb = Compose.feedback(mlp, loopBack, Gain.scalar(g));
      double lam = PerronRoot.of(fb.a().absBound(), 1e-10, 20_000).value();
      if (Math.abs(lam - 0.95) < 1e-4) {
        break;
      }
      if (lam > 0.95) {
        hi = g;
      } else {
        lo = g;
      }
    }
    ImplicitModel scaled = Rescaler.rescale(fb, 0.951).model();
    double norm = org.implicit4j.analysis.WellPosednessAnalysis.of(scaled).normInf();
    double[] u = new double[16 * p];
    for (int i = 0; i < u.length; i++) {
      u[i] = r.nextDouble();
    }
    SolverOptions o = SolverOptions.defaults().withTolerance(1e-8).withMaxIterations(100_000);
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
    Solution[] sol = new Solution[2];
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      sol[0] = new Picard(o).solve(scaled, u, 16);
      long t1 = System.nanoTime();
      sol[1] = new Anderson(o).solve(scaled, u, 16);
      long t2 = System.nanoTime();
      best[0] = Math.min(best[0], t1 - t0);
      best[1] = Math.min(best[1], t2 - t1);
    }
    return String.format(Locale.ROOT,
        "feedback digits-mlp (n=%d, \u2016A'\u2016\u221e=%.4f, batch 16, tol 1e-8): Picard %d iterations %.1f ms; "
            + "Anderson(m=5) %d iterations %.1f ms",
        scaled.n(), norm, sol[0].report().iterations(), best[0] / 1e6, sol[1].report().iterations(), best[1] / 1e6);
  }

  /** ResNet-20: import + rescale + verify of 100 inputs against ORT, wall clock. */
  static String resnetEndToEnd() throws IOException {
    Path f = Networks.path("resnet20-cifar");
    long t0 = System.nanoTime();
    OnnxMl.ModelProto proto = OnnxImporter.read(f);
    ImportResult r = OnnxImporter.importModel(proto, f.toString(), f.getParent(), ImportOptions.defaults());
    long t1 = System.nanoTime();
    ImplicitModel scaled = Rescaler.rescale(r.model(), 0.95).model();
    long t2 = System.nanoTime();
    VerificationReport rep;
    try (OrtVerifier v = new OrtVerifier(proto, r, f.toString())) {
      rep = v.verify(OrtVerifier.randomInputs(r.model(), 100, 42), 1e-5, 1e-4, null);
    }
    long t3 = System.nanoTime();
    if (scaled.n() != r.model().n()) {
      throw new IllegalStateException();
    }
    return String.format(Locale.ROOT, "resnet20 end to end: import %.2f s + rescale %.2f s + verify(100) %.2f s = %.2f s; %s",
        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t3 - t0) / 1e9, rep.summary());
  }

  /** Whether /proc/cpuinfo lists the flag (false where there is none). */
  static boolean cpuFlag(String flag) {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .anyMatch(l -> l.startsWith("flags") && java.util.Arrays.asList(l.split("\\s+")).contains(flag));
    } catch (IOException e) {
      return false;
    }
  }

  static double cpuGhz() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("cpu MHz")) {
          return Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()) / 1000;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return Double.NaN;
  }
}
