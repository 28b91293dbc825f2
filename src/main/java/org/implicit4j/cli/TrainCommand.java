package org.implicit4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.TrainOptions;
import org.implicit4j.api.Trained;
import org.implicit4j.report.TrainReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `train --data D (--states N | --layers 60,40 | --from MODEL) -o OUT.i4j`: fits an implicit model. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train an implicit model on labelled data (El Ghaoui et al. \u00a76): gradients by the implicit "
        + "function theorem, Adam or SGD, and after every step each row of A projected onto the \u21131 ball of radius "
        + "\u03ba so that \u2016A\u2016\u221e \u2264 \u03ba < 1 (well-posed throughout). A fresh model (--states N: dense A; "
        + "--layers: a feed-forward network), or --from MODEL to fine-tune a converted, composed or saved model "
        + "with its structure kept. Writes a model file that every other command accepts.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "D",
      description = "Training set: CSV with the label first, or an IDX images file (labels beside it), gzipped or not.")
  Path data;

  @Option(names = "--data-rows", paramLabel = "FROM:TO", description = "Rows of --data to train on (e.g. 0:1500).")
  String dataRows;

  @Option(names = "--test", paramLabel = "T", description = "Test set scored after every epoch.")
  Path test;

  @Option(names = "--test-rows", paramLabel = "FROM:TO", description = "Rows of --test (e.g. 1500:1797).")
  String testRows;

  @Option(names = "--scale", defaultValue = "1", description = "Multiply CSV inputs by this (0.0625 for 0-16 pixels).")
  double scale;

  @Option(names = "--states", defaultValue = "0", description = "n states of a general implicit model (dense A).")
  int states;

  @Option(names = "--layers", split = ",", paramLabel = "H", description = "Hidden sizes of a feed-forward shape.")
  int[] layers;

  @Option(names = "--from", paramLabel = "MODEL", description = "Fine-tune this model instead.")
  Path from;

  @Option(names = "--freeze", split = ",", paramLabel = "BLOCK",
      description = "Blocks (A(0,1), C, \u2026) or state blocks to keep fixed when fine-tuning.")
  Set<String> freeze;

  @Option(names = "--kappa", description = "Bound on \u2016A\u2016\u221e kept by projection after every step "
      + "(default " + Defaults.KAPPA + " when A is not strictly triangular; none for a strictly triangular model, "
      + "which is well-posed whatever its weights).")
  Double kappa;

  @Option(names = "--epochs", defaultValue = "10") int epochs;

  @Option(names = "--batch-size", defaultValue = "100") int batchSize;

  @Option(names = "--lr", defaultValue = "1e-3") double lr;

  @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (with --momentum).") String optimizer;

  @Option(names = "--momentum", defaultValue = "0.9") double momentum;

  @Option(names = "--loss", defaultValue = "cross-entropy", description = "cross-entropy or mse.") String loss;

  @Option(names = "--l1", defaultValue = "0", description = "\u03bb of an L1 penalty on the weights.") double l1;

  @Option(names = "--robust", defaultValue = "0",
      description = "\u03bc of the robustness penalty \u03bc\u2016S\u2016\u221e (S the sensitivity matrix).")
  double robust;

  @Option(names = "--seed", defaultValue = "" + Defaults.SEED) long seed;

  @Option(names = "--tol", defaultValue = "1e-6", description = "Fixed-point tolerance of the solves while training.")
  double tol;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.i4j", description = "The trained model.")
  Path output;

  @Option(names = "--curves", paramLabel = "PNG", description = "Draw loss and accuracy per epoch here.")
  Path curves;

  @Option(names = "--json", description = "Print the final metrics as one JSON object.")
  boolean json;

  @Mixin OnnxOptions onnxOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Outputs.notAnInput(output, data, test, from);
    TrainOptions o = TrainOptions.defaults().withSchedule(epochs, batchSize, lr).withOptimizer(optimizer, momentum)
        .withSeed(seed).withLoss(loss).withPenalties(l1, robust).withTolerance(tol)
        .withData(range(dataRows), test, range(testRows), scale).withCurves(curves)
        .withFreeze(freeze == null ? Set.of() : freeze);
    if (kappa != null) {
      o = o.withKappa(kappa);
    }
    o = layers != null ? o.withLayers(layers) : o.withStates(states);
    PrintWriter err = spec.commandLine().getErr();
    Trained t;
    try (Progress bar = new Progress("train", epochs, onnxOptions.quiet, err)) {
      TrainOptions run = o.withProgress(bar);
      t = from == null ? Implicit.train(data, run) : Implicit.load(from, onnxOptions.load()).fineTune(data, run);
    }
    t.model().save(output);
    TrainReport r = t.report();
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? r.json() : "wrote " + output + " (" + r.trainableValues() + " trained values"
        + (r.frozen().isEmpty() ? "" : "; fixed: " + r.frozen()) + ")");
    out.flush();
    return ExitCodes.OK;
  }

  /** "FROM:TO" as {from, to}; null as the whole file. */
  static int[] range(String s) {
    if (s == null) {
      return new int[] {0, 0};
    }
    String[] p = s.split(":", -1);
    try {
      if (p.length == 2) {
        int from = p[0].isBlank() ? 0 : Integer.parseInt(p[0].strip());
        int to = p[1].isBlank() ? 0 : Integer.parseInt(p[1].strip());
        if (from >= 0 && (to == 0 || to > from)) {
          return new int[] {from, to};
        }
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("rows '" + s + "': expected FROM:TO with 0 \u2264 FROM < TO, e.g. 0:1500");
  }
}
