package org.implicit4j.api;

import org.implicit4j.analysis.WellPosednessAnalysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.implicit4j.compose.Compose;
import org.implicit4j.compose.Gain;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.export.OnnxExporter;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;
import org.implicit4j.report.WellPosedness;

/**
 * The fluent API: an immutable handle on an implicit model whose methods read like the
 * architecture, each returning a new handle:
 *
 * <pre>{@code
 * Implicit net = Implicit.load("a.onnx").then(Implicit.load("b.onnx"))
 *     .feedback(Gain.scalar(0.1)).rescaled(0.95);
 * Implicit ensemble = Implicit.parallel(a, b).sum();
 * double[][] y = net.predict(x);
 * }</pre>
 *
 * Every handle carries its well-posedness analysis ({@link #wellPosedness()}, computed on first
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
  public static Implicit load(Path path) {
    try {
      if (ModelFiles.isModelFile(path)) {
        return new Implicit(ModelFiles.load(path));
      }
      return new Implicit(OnnxImporter.importFile(path, ImportOptions.defaults()).model());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Implicit load(String path) {
    return load(Path.of(path));
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

  /** Two models side by side; finish with {@link Pair#sum()}, {@link Pair#concat()}, … */
  public static Pair parallel(Implicit a, Implicit b) {
    return new Pair(a, b);
  }

  /** Cascade: this model's output feeds {@code next}'s input. */
  public Implicit then(Implicit next) {
    return new Implicit(Compose.cascade(model, next.model));
  }

  /** The model fed back into itself: u₁ = u + K ŷ (the loop is closed through the identity). */
  public Implicit feedback(Gain gain) {
    return new Implicit(Compose.feedback(model, Compose.identity(model.q()), gain));
  }

  /** Feedback through another model: u₁ = u + K ŷ₂, u₂ = ŷ₁; the output is ŷ₁. */
  public Implicit feedback(Implicit loop, Gain gain) {
    return new Implicit(Compose.feedback(model, loop.model, gain));
  }

  /** The same predictor with ‖A‖∞ &lt; κ (Perron–Frobenius rescaling). */
  public Implicit rescaled(double kappa) {
    return new Implicit(Rescaler.rescale(model, kappa).model());
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

  /** Predictions for rows of inputs (exact back-substitution when possible, else Anderson). */
  public double[][] predict(double[][] inputs) {
    return rows(solve(inputs).outputs(), inputs.length, model.q());
  }

  /** The full solution with its report. */
  public Solution solve(double[][] inputs) {
    double[] flat = new double[inputs.length * model.p()];
    for (int s = 0; s < inputs.length; s++) {
      if (inputs[s].length != model.p()) {
        throw new org.implicit4j.linalg.DimensionMismatchException(
            "predict: input row " + s + " has " + inputs[s].length + " values, the model takes " + model.p());
      }
      System.arraycopy(inputs[s], 0, flat, s * model.p(), model.p());
    }
    return Solvers.solve(model, flat, inputs.length);
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

  /** Writes the model as an ONNX graph that ONNX Runtime runs (atomically). */
  public Implicit exportOnnx(Path path) {
    try {
      OnnxExporter.export(model, path);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "Implicit[n=…, p=…, q=…, <composition or source>]"; the verdict is left to {@link #wellPosedness()}. */
  @Override
  public String toString() {
    String what = model.metadata().getOrDefault("composition", model.metadata().getOrDefault("source", "model"));
    return "Implicit[n=" + model.n() + ", p=" + model.p() + ", q=" + model.q() + ", " + what + "]";
  }

  private static double[][] rows(double[] flat, int n, int w) {
    double[][] r = new double[n][w];
    for (int s = 0; s < n; s++) {
      System.arraycopy(flat, s * w, r[s], 0, w);
    }
    return r;
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
