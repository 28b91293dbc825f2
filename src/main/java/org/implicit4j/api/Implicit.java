package org.implicit4j.api;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.implicit4j.analysis.RescaleException;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.analysis.Robustness;
import org.implicit4j.analysis.WellPosednessAnalysis;
import org.implicit4j.compose.Compose;
import org.implicit4j.compose.Gain;
import org.implicit4j.export.OnnxExporter;
import org.implicit4j.io.Csv;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.io.ModelFormatException;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Provenance;
import org.implicit4j.model.StateBlock;
import org.implicit4j.onnx.ImportException;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.plot.Pictures;
import org.implicit4j.report.AttackReport;
import org.implicit4j.report.RobustnessReport;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.report.SolveReport;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.report.WellPosedness;
import org.implicit4j.solve.Predictions;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.SolvePlan;
import org.implicit4j.solve.Solver;
import org.implicit4j.solve.SolverOptions;
import org.implicit4j.solve.Solvers;
import org.implicit4j.verify.OrtVerifier;
import org.implicit4j.verify.Verifier;

/**
 * The one door of implicit4j: an immutable handle on an implicit model x = φ(Ax + Bu + b),
 * ŷ = Cx + Du + c (El Ghaoui et al. §2, eq. 2.1) whose methods load, verify, solve, analyse,
 * compose, save and export, with typed options ({@link LoadOptions}, {@link VerifyOptions},
 * {@link SolveOptions}; defaults in {@link Defaults}) and typed reports. The CLI and the script
 * language call only this package.
 *
 * <pre>{@code
 * Implicit net = Implicit.load("a.onnx").then(Implicit.load("b.onnx")).feedback(0.1).rescaled(0.95);
 * Implicit ensemble = Implicit.parallel(a, b).sum();
 * double[][] y = net.predict(x);
 * }</pre>
 *
 * <p>Every handle carries its well-posedness analysis ({@link #wellPosedness()}, computed on first
 * use); a composition that is not shown well-posed is still returned, and {@link #predict} then
 * uses the iterative solvers, which throw with their report when they do not converge.
 */
public final class Implicit {
  private final ImplicitModel model;
  private WellPosedness analysis;

  private Implicit(ImplicitModel model) {
    this.model = model;
  }

  /** Wraps a model. */
  public static Implicit of(ImplicitModel model) {
    return new Implicit(model);
  }

  /** Loads an .onnx network (imported) or a model file, told apart by content. */
  public static Implicit load(Path path, LoadOptions options) {
    try {
      if (!Files.isRegularFile(path)) {
        throw new ModelFormatException(path + (Files.isDirectory(path) ? ": is a directory" : ": no such file"));
      }
      if (ModelFiles.isModelFile(path)) {
        if (!options.inputShapes().isEmpty()) {
          throw new IllegalArgumentException(path + " is a model file, whose shapes are fixed; --input-shape applies "
              + "to ONNX networks only");
        }
        return new Implicit(ModelFiles.load(path));
      }
      return new Implicit(importOnnx(readOnnx(path), path, options).model());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Implicit load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static Implicit load(String path) {
    return load(Path.of(path));
  }

  /** Parses an ONNX file; a file that is neither a model file nor ONNX gets one message saying both. */
  private static OnnxMl.ModelProto readOnnx(Path path) throws IOException {
    try {
      return OnnxImporter.read(path);
    } catch (ImportException e) {
      throw new ModelFormatException(path + ": neither an implicit4j model file (a zip with manifest.json) "
          + "nor an ONNX model (" + e.getMessage() + ")", e);
    }
  }

  private static ImportResult importOnnx(OnnxMl.ModelProto proto, Path path, LoadOptions options) throws IOException {
    ImportOptions o = ImportOptions.defaults().withTrailingSoftmax(options.keepTrailingSoftmax());
    for (Map.Entry<String, org.implicit4j.model.Shape> e : options.inputShapes().entrySet()) {
      o = o.withInputShape(e.getKey(), e.getValue().dims());
    }
    return OnnxImporter.importModel(proto, path.toString(), path.toAbsolutePath().getParent(), o);
  }

  /**
   * Imports an ONNX network and checks it against ONNX Runtime (the project's main job): {@code
   * samples} seeded inputs plus the extra ones, the network read and imported once. When it
   * passes, the model's manifest records the summary.
   */
  public static Verification verify(Path onnx, VerifyOptions o) {
    try {
      OnnxMl.ModelProto proto = OnnxImporter.read(onnx);
      ImportResult r = importOnnx(proto, onnx, o.load());
      if (o.float32()) {
        r = r.withModel(r.model().withFloat32Kernels());
      }
      double[][] x = verificationInputs(r.model(), o);
      Verifier.OnnxVerification v = Verifier.verifyOnnx(proto, r, onnx.toString(),
          new Verifier.Check(x, new Verifier.Tolerance(o.atol(), o.rtol()), o.perLayer()), done -> o.progress().step(done, x.length));
      ImplicitModel m = v.report().passed()
          ? r.model().withProvenance(r.model().provenance().withVerification(v.report().summary())) : r.model();
      return new Verification(new Implicit(m), v.report(), v.layers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double[][] verificationInputs(ImplicitModel m, VerifyOptions o) throws IOException {
    double[][] x = OrtVerifier.randomInputs(m, o.samples(), o.seed());
    if (o.extraInputs() != null) {
      double[][] user = Csv.read(o.extraInputs(), m.p());
      x = Arrays.copyOf(x, x.length + user.length);
      System.arraycopy(user, 0, x, o.samples(), user.length);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("nothing to verify: --samples 0 and no --inputs");
    }
    return x;
  }

  /**
   * Checks this model against ONNX files run in sequence in ONNX Runtime (each file's outputs feed
   * the next), on {@code samples} seeded inputs with the given tolerances.
   */
  public VerificationReport verifyAgainst(List<Path> onnxFiles, VerifyOptions o) {
    if (o.samples() <= 0) {
      throw new IllegalArgumentException("verify needs at least one sample, got " + o.samples());
    }
    double[][] x = OrtVerifier.randomInputs(model, o.samples(), o.seed());
    return Verifier.verifyPipeline(model, onnxFiles, x, new Verifier.Tolerance(o.atol(), o.rtol()),
        done -> o.progress().step(done, x.length));
  }

  /** ŷ = M u + c, a model without states (n = 0): the way to add a linear head. */
  public static Implicit affine(double[][] m, double[] bias) {
    return new Implicit(Compose.affine(DenseMatrix.of(m), bias));
  }

  public static Implicit affine(LinearOperator m, double[] bias) {
    return new Implicit(Compose.affine(m, bias));
  }

  /** The identity map on R^size (n = 0). */
  public static Implicit identity(int size) {
    return new Implicit(Compose.identity(size));
  }

  /** ŷ = k·u on R^size (n = 0). */
  public static Implicit scalar(int size, double k) {
    return affine(DiagonalMatrix.scalar(size, k), new double[size]);
  }

  /** The zero map R^cols → R^rows (n = 0). */
  public static Implicit zeros(int rows, int cols) {
    return affine(new DenseMatrix(rows, cols, new double[Math.multiplyExact(rows, cols)]), new double[rows]);
  }

  /** Two models side by side; finish with {@link Pair#sum()}, {@link Pair#concat()}, … */
  public static Pair parallel(Implicit a, Implicit b) {
    return new Pair(a, b);
  }

  /** Cascade: this model's output feeds {@code next}'s input. */
  public Implicit then(Implicit next) {
    return new Implicit(Compose.cascade(model, next.model));
  }

  /** ŷ scaled by k: this model cascaded into k·I. */
  public Implicit times(double k) {
    return then(scalar(model.q(), k));
  }

  /** The model fed back into itself: u₁ = u + k ŷ (El Ghaoui et al. §2; docs/MATHS.md §4). */
  public Implicit feedback(double k) {
    return feedback(identity(model.q()), new Gain.Scalar(k));
  }

  /** The model fed back into itself through a p × q matrix: u₁ = u + K ŷ. */
  public Implicit feedback(double[][] k) {
    return feedback(identity(model.q()), new Gain.Matrix(DenseMatrix.of(k)));
  }

  /** Feedback through another model: u₁ = u + k ŷ₂, u₂ = ŷ₁; the output is ŷ₁. */
  public Implicit feedback(Implicit loop, double k) {
    return feedback(loop, new Gain.Scalar(k));
  }

  /** Feedback through another model with a matrix gain K. */
  public Implicit feedback(Implicit loop, double[][] k) {
    return feedback(loop, new Gain.Matrix(DenseMatrix.of(k)));
  }

  private Implicit feedback(Implicit loop, Gain gain) {
    return new Implicit(Compose.feedback(model, loop.model, gain));
  }

  /** The same predictor with ‖A‖∞ &lt; κ (Perron–Frobenius rescaling, docs/MATHS.md §3). */
  public Implicit rescaled(double kappa) {
    return rescale(kappa).model();
  }

  /** The rescaled model and its report; throws {@link RescaleException} when impossible. */
  public Rescaled rescale(double kappa) {
    Rescaler.Result r = Rescaler.rescale(model, kappa);
    return new Rescaled(new Implicit(r.model()), r.report());
  }

  public ImplicitModel model() {
    return model;
  }

  /** ‖A‖∞, λpf(|A|) and the verdict, computed once. */
  public synchronized WellPosedness wellPosedness() {
    if (analysis == null) {
      analysis = WellPosednessAnalysis.of(model);
    }
    return analysis;
  }

  /**
   * Whether the model is shown well-posed: at once for a strictly block upper-triangular A (every
   * network imported from ONNX), else by {@link #wellPosedness()}. The shortcut spares `predict` the
   * analysis's products with |A| (ResNet-20 from a cold JVM: 180 ms of a 1.1 s run).
   */
  public boolean wellPosedShown() {
    return model.isStrictlyUpperTriangular() || wellPosedness().wellPosed();
  }

  /** Returns this model, or throws (a failed check, exit 1) when its well-posedness is not shown. */
  public Implicit requireWellPosed() {
    if (!wellPosedShown()) {
      throw new org.implicit4j.analysis.AnalysisException("well-posedness is required but not shown: "
          + wellPosedness().verdict() + "; the equilibrium may not be unique. Rescale the model or reduce its gains");
    }
    return this;
  }

  /** Sizes, blocks, verdict and rescale preview, as `info` prints them. */
  public ModelDescription describe() {
    List<ModelDescription.State> states = new ArrayList<>();
    for (StateBlock s : model.states()) {
      states.add(new ModelDescription.State(s.name(), s.size(), s.activation().spec(), s.shape(),
          s.activation() instanceof Activation.GatedProduct, s.activation().nonExpansive()));
    }
    List<ModelDescription.Block> blocks = new ArrayList<>();
    addBlocks(blocks, "A", model.a());
    addBlocks(blocks, "B", model.b());
    addBlocks(blocks, "C", model.c());
    addBlocks(blocks, "D", model.d());
    return new ModelDescription(model.n(), model.p(), model.q(), model.inputShape(), model.outputShape(),
        model.storedValues(), wellPosedness(), states, blocks, model.provenance(), rescalePreview(),
        SolvePlan.summary(model));
  }

  private ModelDescription.RescalePreview rescalePreview() {
    try {
      return new ModelDescription.RescalePreview(Defaults.KAPPA, rescale(Defaults.KAPPA).report(), null);
    } catch (RescaleException e) {
      return new ModelDescription.RescalePreview(Defaults.KAPPA, null, e.getMessage());
    }
  }

  private static void addBlocks(List<ModelDescription.Block> out, String name, BlockMatrix bm) {
    for (BlockMatrix.Block b : bm.blocks()) {
      out.add(new ModelDescription.Block(name, b.row(), b.col(), b.op().kind(), b.op().rows(), b.op().cols(),
          b.op().nnz()));
    }
  }

  /**
   * The sensitivity matrix S = |C|(I − |A|)⁻¹|B| + |D| (El Ghaoui et al. §4): |ŷ(u) − ŷ(u₀)| ≤ S|u − u₀|.
   * Refused (AnalysisException) when well-posedness is not shown or an activation is not
   * componentwise non-expansive.
   */
  public SensitivityMatrix sensitivity() {
    return Robustness.sensitivity(model);
  }

  /**
   * S, the ‖·‖∞ bounds over the box |u − u₀| ≤ σu, and for each input row its certificate (the
   * lower bounds on ŷ_y − ŷ_t for the predicted class y, and with {@code lp} the LP bound per target).
   */
  public RobustnessReport robustness(double[][] inputs, RobustOptions o) {
    for (double[] row : inputs) {
      requireWidth("robust", row.length, model.p());
    }
    return RobustnessRuns.robustness(model, inputs, o);
  }

  /** A sparse bounded attack on the labelled data set in {@code data} (CSV with the label first, or IDX). */
  public AttackResult attack(Path data, AttackOptions o) {
    try {
      return RobustnessRuns.attack(model, data, o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Row t of S drawn as an image in the input's shape, one labelled tile per output (PNG). */
  public Path drawSensitivity(SensitivityMatrix s, Path png) {
    List<String> labels = new ArrayList<>();
    for (int t = 0; t < s.q(); t++) {
      labels.add("class " + t);
    }
    try {
      Pictures.sensitivityRows(s, model.inputShape(), labels, png);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sparsity pattern of A as a density image, {@code size} pixels square (PNG). */
  public Path drawSparsity(Path png, int size) {
    try {
      Pictures.sparsity(model.a(), size, png);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fresh model trained on a labelled data set (CSV with the label first, or IDX): the general
   * implicit model with {@code states} states and dense A, or the strictly triangular {@code layers}
   * shape; gradients by the implicit function theorem, ‖A‖∞ ≤ κ kept by projection (El Ghaoui et al. §6).
   */
  public static Trained train(Path data, TrainOptions o) {
    try {
      return TrainRuns.fresh(data, o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * This model fine-tuned on a labelled data set, its structure kept (sparsity patterns, convolution
   * geometries; blocks named in {@code freeze} and lazy blocks stay fixed).
   */
  public Trained fineTune(Path data, TrainOptions o) {
    try {
      return TrainRuns.fineTune(model, data, o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Accuracy against k for several attack runs in one chart (PNG). */
  public static Path drawAccuracy(List<AttackReport> reports, String title, Path png) {
    try {
      Pictures.accuracyPlot(reports, title, png);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Predictions for rows of inputs (exact back-substitution when possible, else Anderson). */
  public double[][] predict(double[][] inputs) {
    return predict(inputs, SolveOptions.defaults()).outputs();
  }

  /** The float32-kernel twin of the model, made once (its kernels are copies). */
  private volatile ImplicitModel float32;

  private ImplicitModel float32() {
    ImplicitModel f = float32;
    if (f == null) {
      f = model.withFloat32Kernels();
      float32 = f;
    }
    return f;
  }

  /** Predictions and the solve report, with the given solver settings. */
  public Prediction predict(double[][] inputs, SolveOptions o) {
    Predictions sol = solver(o).predict(o.float32() ? float32() : model, flatten(inputs), inputs.length);
    return new Prediction(rows(sol.outputs(), inputs.length, model.q()), sol.report());
  }

  private static Solver solver(SolveOptions o) {
    SolverOptions so = SolverOptions.defaults().withTolerance(o.tolerance()).withMaxIterations(o.maxIterations());
    return Solvers.named(o.solver().cliName(), so);
  }

  /**
   * Predictions for rows of float inputs, the type of a float32 ONNX tensor: with {@link
   * SolveOptions#float32} back-substitution reads them in place instead of rounding doubles, and the
   * outputs are those of {@link #predict(double[][], SolveOptions)} of the same values, bit for bit.
   */
  public Prediction predict(float[][] inputs, SolveOptions o) {
    float[] flat = new float[Math.multiplyExact(inputs.length, model.p())];
    for (int s = 0; s < inputs.length; s++) {
      requireWidth("predict", inputs[s].length, model.p());
      System.arraycopy(inputs[s], 0, flat, s * model.p(), model.p());
    }
    Predictions sol = solver(o).predict(o.float32() ? float32() : model, flat, inputs.length);
    return new Prediction(rows(sol.outputs(), inputs.length, model.q()), sol.report());
  }

  /**
   * Predictions for every row of a CSV (or .npy) file, read and solved {@code batchSize} rows at a
   * time, so memory does not grow with the number of rows; the report combines the batches (largest
   * residuals and iteration count, converged only if every batch did).
   */
  public Prediction predictFile(Path inputs, SolveOptions o, int batchSize, ProgressListener progress) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be \u2265 1, got " + batchSize);
    }
    try {
      List<double[]> out = new ArrayList<>();
      SolveReport[] total = {null};
      List<double[]> pending = new ArrayList<>();
      java.util.function.Consumer<List<double[]>> flush = rows -> {
        Prediction p = predict(rows.toArray(new double[0][]), o);
        out.addAll(Arrays.asList(p.outputs()));
        total[0] = combine(total[0], p.report());
        progress.step(out.size(), out.size());
        rows.clear();
      };
      DataFiles.forEachRow(inputs, model.p(), row -> {
        pending.add(row);
        if (pending.size() == batchSize) {
          flush.accept(pending);
        }
      });
      if (!pending.isEmpty()) {
        flush.accept(pending);
      }
      if (out.isEmpty()) {
        throw new ModelFormatException(inputs + ": no data rows");
      }
      return new Prediction(out.toArray(new double[0][]), total[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SolveReport combine(SolveReport a, SolveReport b) {
    if (a == null) {
      return b;
    }
    return new SolveReport(b.method(), Math.max(a.iterations(), b.iterations()), Math.max(a.absResidual(),
        b.absResidual()), Math.max(a.relResidual(), b.relResidual()), a.converged() && b.converged(),
        a.batch() + b.batch(), a.checkedSamples() + b.checkedSamples());
  }

  /** The full solution (states too) with its report. */
  public Solution solve(double[][] inputs) {
    return Solvers.solve(model, flatten(inputs), inputs.length);
  }

  private double[] flatten(double[][] inputs) {
    for (double[] row : inputs) {
      requireWidth("predict", row.length, model.p());
    }
    return Csv.flatten(inputs);
  }

  private static void requireWidth(String what, int width, int p) {
    if (width != p) {
      throw new DimensionMismatchException(what + ": an input row has " + width + " values, the model takes " + p);
    }
  }

  /** Saves the model file (atomically). */
  public Implicit save(Path path) {
    try {
      ModelFiles.save(model, path);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the model as an ONNX graph that ONNX Runtime runs (atomically); see {@link #exportOnnx(Path, int)}. */
  public Exported exportOnnx(Path path) {
    return exportOnnx(path, 0);
  }

  /**
   * Writes opset-17 ONNX: a feed-forward graph when A is strictly upper triangular, else a Loop of
   * T Picard iterations (T = {@code iterations}, or when 0 enough for 1e-7 relative error if
   * ‖A‖∞ &lt; 1, else 500).
   */
  public Exported exportOnnx(Path path, int iterations) {
    try {
      OnnxExporter.export(model, path, iterations);
      boolean ff = model.isStrictlyUpperTriangular();
      return new Exported(path, ff, ff ? 0 : OnnxExporter.loopIterations(model, iterations));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "Implicit[n=…, p=…, q=…, &lt;composition or source&gt;]"; the verdict is left to {@link #wellPosedness()}. */
  @Override
  public String toString() {
    Provenance p = model.provenance();
    String what = p.composition() != null ? p.composition() : p.source() != null ? p.source() : "model";
    return "Implicit[n=" + model.n() + ", p=" + model.p() + ", q=" + model.q() + ", " + what + "]";
  }

  private static double[][] rows(double[] flat, int n, int w) {
    double[][] r = new double[n][w];
    for (int s = 0; s < n; s++) {
      System.arraycopy(flat, s * w, r[s], 0, w);
    }
    return r;
  }

  /** An ONNX file written: a feed-forward graph, or a Loop of {@code loopIterations} Picard iterations. */
  public record Exported(Path file, boolean feedForward, int loopIterations) {
    @Override
    public String toString() {
      return "wrote " + file + (feedForward ? " (feed-forward graph)" : " (Loop of " + loopIterations
          + " Picard iterations)");
    }
  }

  /** Two models waiting to be joined. */
  public static final class Pair {
    private final Implicit a;
    private final Implicit b;

    private Pair(Implicit a, Implicit b) {
      this.a = a;
      this.b = b;
    }

    /** ŷ = ŷ₁ + ŷ₂ on a shared input. */
    public Implicit sum() {
      return sum(1, 1);
    }

    /** ŷ = αŷ₁ + βŷ₂ on a shared input. */
    public Implicit sum(double alpha, double beta) {
      return new Implicit(Compose.sum(a.model, b.model, alpha, beta));
    }

    /** ŷ = (ŷ₁, ŷ₂) on a shared input. */
    public Implicit concat() {
      return new Implicit(Compose.concat(a.model, b.model));
    }

    /** ŷ = (ŷ₁, ŷ₂) on separate inputs u = (u₁, u₂). */
    public Implicit separateInputs() {
      return new Implicit(Compose.parallel(a.model, b.model));
    }

    /** ŷ = φa(ŷ₁) ⊙ φb(ŷ₂) on a shared input; φa, φb bounded (tanh, sigmoid). */
    public Implicit product(Activation phiA, Activation phiB) {
      return new Implicit(Compose.multiplicative(a.model, b.model, phiA, phiB));
    }
  }
}
