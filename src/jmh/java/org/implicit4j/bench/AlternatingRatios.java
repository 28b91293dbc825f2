package org.implicit4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Ratios measured in alternation within one JVM (run from the repository root):
 *
 * <pre>java -Dimplicit4j.openblas.coretype=cpu -cp target/benchmarks.jar \
 *     org.implicit4j.bench.AlternatingRatios [iterations [batch…]]</pre>
 *
 * {@link PairedRatios} runs each engine in its own JVM, seconds apart; this machine's cores drift
 * by tens of percent within that (ORT alone measured 861–1,223 µs for one batch across three
 * rounds). Here one JMH benchmark switches engine at every iteration ({@link #turn}), so that the
 * two engines run in turns of {@link #SLICE_MS} ms for the whole measurement: each pair of
 * neighbouring iterations gives a ratio under nearly the same machine state, and the pairs give a
 * median and a range. Three comparisons per network and batch: float32 given doubles / ORT,
 * float32 given ORT's floats / ORT, and fp64 / float32 (both given doubles). Default: 20
 * iterations (10 pairs) of batch 64 and 256; {@code -Dimplicit4j.bench.networks=a,b} as in
 * PairedRatios. Prints a table and writes target/bench-alternating.csv, a row a pair.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AlternatingRatios {
  /** Length of one turn: long enough for tens of batches, short against the machine's drift. */
  static final int SLICE_MS = 300;
  /** Warm-up iterations: even, so that measured iteration j runs the numerator when j is even. */
  static final int WARMUP = 6;

  /** The engines compared: numerator, then denominator (see {@link #engine}). */
  public enum Pair {
    FP32_ORT("fp32/ORT"), FP32_FLOAT_INPUTS_ORT("fp32 float in/ORT"), FP64_FP32("fp64/fp32");

    final String label;

    Pair(String label) {
      this.label = label;
    }
  }

  @Param({"mnistfc-256x2"})
  public String network;

  @Param({"64"})
  public int batch;

  @Param({"FP32_ORT"})
  public Pair pair;

  private final NetworkBench engines = new NetworkBench();
  /** Whether this iteration runs the numerator; flipped before every iteration, warm-up included. */
  private boolean numerator;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    engines.network = network;
    engines.batch = batch;
    engines.nativeBlas = true;
    engines.setup();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    engines.tearDown();
  }

  @Setup(Level.Iteration)
  public void turn() {
    numerator = !numerator;
  }

  @Benchmark
  public Object engine() throws Exception {
    return switch (pair) {
      case FP32_ORT -> numerator ? engines.implicit4jFloat32() : engines.onnxRuntime();
      case FP32_FLOAT_INPUTS_ORT -> numerator ? engines.implicit4jFloat32FloatInputs() : engines.onnxRuntime();
      case FP64_FP32 -> numerator ? engines.implicit4j() : engines.implicit4jFloat32();
    };
  }

  public static void main(String[] args) throws RunnerException, IOException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String[] batches = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"64", "256"};
    String[] pairs = Arrays.stream(Pair.values()).map(Enum::name).toArray(String[]::new);
    PairedRatios.networks().forEach(Networks::path); // fails early, with the fix, when ../shared is missing
    Options opt = new OptionsBuilder().include(AlternatingRatios.class.getName() + "\\.engine$")
        .param("network", PairedRatios.networks().toArray(new String[0])).param("batch", batches).param("pair", pairs)
        .warmupIterations(WARMUP).warmupTime(TimeValue.milliseconds(SLICE_MS))
        .measurementIterations(iterations + iterations % 2).measurementTime(TimeValue.milliseconds(SLICE_MS))
        .forks(1).jvmArgs("-Xmx6g", "-Dimplicit4j.openblas.coretype=cpu").shouldDoGC(false)
        .verbosity(VerboseMode.SILENT).build();
    StringBuilder csv = new StringBuilder("network,batch,pair,numerator_us,denominator_us,ratio\n");
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-22s %6s %-18s %24s%n", "network", "batch",
        "ratio", "median [range] of pairs"));
    for (RunResult r : new Runner(opt).run()) {
      String net = r.getParams().getParam("network");
      String batch = r.getParams().getParam("batch");
      Pair pair = Pair.valueOf(r.getParams().getParam("pair"));
      double[] ratios = ratios(r.getAggregatedResult(), row -> csv.append(String.format(Locale.ROOT,
          "%s,%s,%s,%.3f,%.3f,%.4f%n", net, batch, pair.label, row[0], row[1], row[0] / row[1])));
      table.append(String.format(Locale.ROOT, "%-22s %6s %-18s %24s%n", net, batch, pair.label,
          PairedRatios.summary(ratios)));
    }
    Path out = Path.of("target", "bench-alternating.csv");
    Files.createDirectories(out.getParent());
    Files.writeString(out, csv);
    System.out.print(table);
    System.out.println("wrote " + out);
  }

  /** Numerator over denominator of each pair of measured iterations (2j, 2j + 1); each pair also to {@code row}. */
  static double[] ratios(BenchmarkResult result, java.util.function.Consumer<double[]> row) {
    List<Double> us = new ArrayList<>();
    for (IterationResult it : result.getIterationResults()) {
      us.add(it.getPrimaryResult().getScore());
    }
    double[] ratios = new double[us.size() / 2];
    for (int j = 0; j < ratios.length; j++) {
      double[] pairUs = {us.get(2 * j), us.get(2 * j + 1)};
      row.accept(pairUs);
      ratios[j] = pairUs[0] / pairUs[1];
    }
    return ratios;
  }
}
