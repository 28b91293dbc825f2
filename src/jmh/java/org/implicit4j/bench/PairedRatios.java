package org.implicit4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Ratios against ONNX Runtime measured in pairs (run from the repository root):
 *
 * <pre>java -Dimplicit4j.openblas.coretype=cpu -cp target/benchmarks.jar \
 *     org.implicit4j.bench.PairedRatios [rounds [batch…]]</pre>
 *
 * On a shared machine the speed of a core drifts by tens of percent over minutes, while {@link
 * BenchSummary} measures one network's implicit4j and ORT runs minutes apart (JMH runs each
 * benchmark over every parameter before the next). Here each round measures {@link NetworkBench}'s
 * fp64, float32 (given doubles, and given the floats ORT gets) and ORT runs of one network and
 * batch back to back (each in its own forked JVM, 1 s of warm-up and 2 of measurement, about 20 s
 * a round), so that a round's ratios share the machine's state; the rounds then give a median and
 * a range. fp64/fp32 compares the two runs given the same doubles. Default: 3 rounds of batch 1, 64
 * and 256; {@code -Dimplicit4j.bench.networks=a,b} measures only those of {@link Networks#FILES}.
 * Prints a table and writes target/bench-paired.csv, a row a round.
 */
public final class PairedRatios {
  private PairedRatios() {}

  /**
   * One round: µs a batch of implicit4j fp64, float32, float32 given the float inputs ORT gets
   * ({@link NetworkBench#implicit4jFloat32FloatInputs}), and ORT.
   */
  record Round(String network, int batch, double fp64, double fp32, double fp32FloatInputs, double ort) {
    double fp32OverOrt() {
      return fp32 / ort;
    }

    double fp32FloatInputsOverOrt() {
      return fp32FloatInputs / ort;
    }

    double fp64OverFp32() {
      return fp64 / fp32;
    }
  }

  public static void main(String[] args) throws RunnerException, IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int[] batches = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {1, 64, 256};
    List<Round> all = new ArrayList<>();
    StringBuilder csv = new StringBuilder("network,batch,round,fp64_us,fp32_us,fp32_float_inputs_us,ort_us,"
        + "fp32_over_ort,fp32_float_inputs_over_ort,fp64_over_fp32\n");
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-22s %6s %24s %24s %24s%n", "network", "batch",
        "fp32/ORT median [range]", "float in/ORT med [range]", "fp64/fp32 median [range]"));
    for (String net : networks()) {
      Networks.path(net); // fails early, with the fix, when ../shared is missing
      for (int batch : batches) {
        List<Round> these = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          Round round = round(net, batch);
          these.add(round);
          System.out.printf(Locale.ROOT, "  %s batch %d round %d: fp64 %.1f, float32 %.1f (float inputs %.1f), ORT %.1f"
              + " us a batch%n", net, batch, r + 1, round.fp64(), round.fp32(), round.fp32FloatInputs(), round.ort());
          csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f%n", net, batch, r + 1,
              round.fp64(), round.fp32(), round.fp32FloatInputs(), round.ort(), round.fp32OverOrt(),
              round.fp32FloatInputsOverOrt(), round.fp64OverFp32()));
        }
        all.addAll(these);
        table.append(String.format(Locale.ROOT, "%-22s %6d %24s %24s %24s%n", net, batch,
            summary(these.stream().mapToDouble(Round::fp32OverOrt).toArray()),
            summary(these.stream().mapToDouble(Round::fp32FloatInputsOverOrt).toArray()),
            summary(these.stream().mapToDouble(Round::fp64OverFp32).toArray())));
      }
    }
    Path out = Path.of("target", "bench-paired.csv");
    Files.createDirectories(out.getParent());
    Files.writeString(out, csv);
    System.out.print(table);
    System.out.println("wrote " + out + " (" + all.size() + " rounds)");
  }

  /** {@code -Dimplicit4j.bench.networks=a,b}'s networks in {@link Networks#FILES}' order, or all of them. */
  static List<String> networks() {
    String asked = System.getProperty("implicit4j.bench.networks", "");
    List<String> names = asked.isEmpty() ? List.copyOf(Networks.FILES.keySet()) : Arrays.asList(asked.split(","));
    for (String name : names) {
      if (!Networks.FILES.containsKey(name)) {
        throw new IllegalArgumentException("implicit4j.bench.networks: no network " + name + "; the networks are "
            + Networks.FILES.keySet());
      }
    }
    return Networks.FILES.keySet().stream().filter(names::contains).toList();
  }

  /** The four runs of one network and batch, back to back. */
  static Round round(String network, int batch) throws RunnerException {
    Options opt = new OptionsBuilder()
        .include(NetworkBench.class.getName() + "\\.(implicit4j|implicit4jFloat32|implicit4jFloat32FloatInputs|onnxRuntime)$")
        .param("network", network).param("batch", Integer.toString(batch)).param("nativeBlas", "true")
        .warmupIterations(1).warmupTime(TimeValue.seconds(1))
        .measurementIterations(2).measurementTime(TimeValue.seconds(1))
        .forks(1).shouldDoGC(true).verbosity(VerboseMode.SILENT).build();
    double[] us = new double[4];
    for (RunResult r : new Runner(opt).run()) {
      String bench = r.getParams().getBenchmark();
      int slot = bench.endsWith("onnxRuntime") ? 3 : bench.endsWith("FloatInputs") ? 2 : bench.endsWith("Float32") ? 1 : 0;
      us[slot] = r.getPrimaryResult().getScore();
    }
    return new Round(network, batch, us[0], us[1], us[2], us[3]);
  }

  /** "median [min–max]" of the values. */
  static String summary(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return String.format(Locale.ROOT, "%.2f [%.2f-%.2f]", median, v[0], v[n - 1]);
  }
}
