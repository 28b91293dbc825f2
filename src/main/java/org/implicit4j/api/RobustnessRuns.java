package org.implicit4j.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.implicit4j.analysis.Attacks;
import org.implicit4j.analysis.LpRelaxation;
import org.implicit4j.analysis.Robustness;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.io.Csv;
import org.implicit4j.io.Datasets;
import org.implicit4j.io.ModelFormatException;
import org.implicit4j.io.Npy;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.plot.Pictures;
import org.implicit4j.report.AttackReport;
import org.implicit4j.report.Certificate;
import org.implicit4j.report.RobustnessReport;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;

/** The robustness entry points of {@link Implicit}: bounds and certificates, attacks and their files. */
final class RobustnessRuns {
  private RobustnessRuns() {}

  static RobustnessReport robustness(ImplicitModel m, double[][] inputs, RobustOptions o) {
    long t0 = System.nanoTime();
    SensitivityMatrix s = Robustness.sensitivity(m);
    double[] sigmaAll = new double[m.p()];
    Arrays.fill(sigmaAll, o.sigma());
    if (o.sigmaRows() != null && o.sigmaRows().length == 1) {
      sigmaAll = o.sigmaRows()[0];
    }
    double sigmaMax = o.sigmaRows() == null ? Arrays.stream(sigmaAll).max().orElse(0)
        : Arrays.stream(o.sigmaRows()).flatMapToDouble(Arrays::stream).max().orElse(0);
    List<Certificate> certs = inputs.length == 0 ? List.of() : certificates(m, inputs, sigmas(m, inputs, o), o);
    Double sparse = o.k() == null ? null : s.sparseBound(sigmaAll, o.k());
    return new RobustnessReport(s, sigmaMax, s.normInf(), s.normInf() * sigmaMax, o.k(), sparse, certs,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** One σu row per input: the scalar, the single row, or the input's own row. */
  private static double[][] sigmas(ImplicitModel m, double[][] inputs, RobustOptions o) {
    double[][] rows = new double[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      if (o.sigmaRows() == null) {
        rows[i] = new double[m.p()];
        Arrays.fill(rows[i], o.sigma());
      } else if (o.sigmaRows().length == 1 || o.sigmaRows().length == inputs.length) {
        rows[i] = o.sigmaRows()[o.sigmaRows().length == 1 ? 0 : i];
      } else {
        throw new IllegalArgumentException("sigma: " + o.sigmaRows().length + " rows for " + inputs.length
            + " inputs; give one row, or one per input");
      }
      if (rows[i].length != m.p() || Arrays.stream(rows[i]).anyMatch(v -> !(v >= 0) || Double.isInfinite(v))) {
        throw new IllegalArgumentException("sigma row " + i + " must hold " + m.p() + " finite values \u2265 0");
      }
    }
    return rows;
  }

  private static List<Certificate> certificates(ImplicitModel m, double[][] inputs, double[][] sigma, RobustOptions o) {
    int batch = inputs.length;
    Solution sol = Solvers.solve(m, Csv.flatten(inputs), batch);
    double[] sigmaX = Robustness.stateBounds(m, Csv.flatten(sigma), batch);
    LpRelaxation lp = o.lp() ? LpRelaxation.of(m) : null;
    List<Certificate> out = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      double[] sx = Arrays.copyOfRange(sigmaX, i * m.n(), (i + 1) * m.n());
      Certificate c = Robustness.certify(m, i, sol.output(i), sx, sigma[i]);
      if (lp != null) {
        c = withLp(c, lp, new LpRelaxation.Box(inputs[i], sigma[i], o.lo(), o.hi()), sol.state(i), sx,
            o.k() == null ? m.p() : o.k(), o.target());
      }
      out.add(c);
    }
    return out;
  }

  private static Certificate withLp(Certificate c, LpRelaxation lp, LpRelaxation.Box box, double[] x0, double[] sx,
      int k, Integer target) {
    List<Certificate.LpBound> bounds = new ArrayList<>();
    for (int t = 0; t < c.nominal().length; t++) {
      if (t == c.predicted() || target != null && t != target) {
        continue;
      }
      LpRelaxation.Result r = lp.solve(new LpRelaxation.Query(box, x0, sx, k, c.predicted(), t),
          LpRelaxation.Backend.GLOP);
      bounds.add(new Certificate.LpBound(t, c.nominal()[t] - c.nominal()[c.predicted()], r.optimum(), r.status()));
    }
    return new Certificate(c.sample(), c.predicted(), c.nominal(), c.marginLowerBound(), c.certified(), bounds);
  }

  static AttackResult attack(ImplicitModel m, Path data, AttackOptions o) throws IOException {
    Datasets.Labelled d = Datasets.read(data, m.p());
    if (o.skip() >= d.size()) {
      throw new IllegalArgumentException("--skip " + o.skip() + " leaves none of the " + d.size() + " samples of " + data);
    }
    int n = o.limit() == 0 ? d.size() - o.skip() : Math.min(o.limit(), d.size() - o.skip());
    Datasets.Labelled picked = TrainRuns.rows(d, new int[] {o.skip(), o.skip() + n}, o.scale(), data);
    double[][] x = picked.x();
    int[] labels = picked.labels();
    for (int i = 0; i < n; i++) {
      if (labels[i] >= m.q()) {
        throw new ModelFormatException(data + ": sample " + i + " has label " + labels[i] + ", the model has "
            + m.q() + " classes");
      }
    }
    double[] sigma = new double[m.p()];
    Arrays.fill(sigma, o.sigma());
    Attacks.Settings s = new Attacks.Settings(Attacks.Method.valueOf(o.method().name()), o.ks(), sigma, o.lo(),
        o.hi(), o.seed(), o.target());
    List<Path> written = new ArrayList<>();
    Map<Integer, Npy.RowWriter> writers = new TreeMap<>();
    try {
      if (o.out() != null) {
        Files.createDirectories(o.out());
        for (int k : o.ks()) {
          writers.put(k, new Npy.RowWriter(o.out().resolve(prefix(o) + "-k" + k + ".npy"), n, m.p()));
        }
      }
      AttackReport rep = Attacks.run(m, x, labels, s, (k, i, u, pred) -> write(writers.get(k), u), done ->
          o.progress().step(done, n));
      for (var e : writers.entrySet()) {
        e.getValue().commit();
        written.add(o.out().resolve(prefix(o) + "-k" + e.getKey() + ".npy"));
      }
      if (o.out() != null) {
        written.addAll(writeReport(rep, o, labels));
      }
      return new AttackResult(rep, written);
    } finally {
      for (Npy.RowWriter w : writers.values()) {
        w.close();
      }
    }
  }

  private static String prefix(AttackOptions o) {
    return "attacked-" + o.method().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void write(Npy.RowWriter w, double[] u) {
    if (w != null) {
      try {
        w.write(u);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** report CSV and JSON, labels .npy and the accuracy plot. */
  private static List<Path> writeReport(AttackReport rep, AttackOptions o, int[] labels) throws IOException {
    String base = "attack-" + rep.method();
    Path csv = o.out().resolve(base + ".csv");
    Path json = o.out().resolve(base + ".json");
    Path png = o.out().resolve(base + ".png");
    Path lab = o.out().resolve("labels.npy");
    AtomicFiles.writeString(csv, rep.csv());
    AtomicFiles.writeString(json, rep.json());
    AtomicFiles.write(lab, out -> Npy.writeInts(out, labels, labels.length));
    Pictures.accuracyPlot(List.of(rep), rep.method() + " attack", png);
    return List.of(csv, json, png, lab);
  }

}
