package org.implicit4j.api;

import java.nio.file.Path;
import java.util.Set;

/**
 * How to train (El Ghaoui et al. §6; docs/MATHS.md §6).
 *
 * @param states with a fresh model: n states of the general implicit model (dense A); 0 when {@code layers} is used
 * @param layers with a fresh model: hidden layer sizes of the strictly triangular "layers" shape (e.g. 60, 40)
 * @param kappa the ‖A‖∞ bound kept by projection after every step; null: automatic — {@link
 *     Defaults#KAPPA} when A is not strictly triangular (the well-posedness the projection keeps), none
 *     when it is (a strictly triangular model is well-posed whatever its weights)
 * @param optimizer "adam" or "sgd" (with {@code momentum})
 * @param loss "cross-entropy" or "mse"
 * @param l1 λ of an L1 penalty on the weights (sparse models)
 * @param robust μ of the robustness penalty μ‖S‖∞ on the sensitivity matrix
 * @param freeze blocks ("A(0,1)", "C", …) or state blocks to keep fixed when fine-tuning
 * @param tolerance fixed-point tolerance of the forward and adjoint solves during training
 * @param test a labelled test set (CSV or IDX) scored after every epoch, or null
 * @param dataRows rows [from, to) of the training file (to = 0: to the end)
 * @param testRows rows [from, to) of the test file
 * @param scale multiply CSV inputs by this (IDX pixels are read in [0, 1])
 * @param curves where to draw loss and accuracy per epoch (PNG), or null
 */
public record TrainOptions(int states, int[] layers, int epochs, int batchSize, double lr, String optimizer,
    double momentum, Double kappa, long seed, String loss, double l1, double robust, Set<String> freeze,
    double tolerance, Path test, int[] dataRows, int[] testRows, double scale, Path curves, ProgressListener progress) {

  public TrainOptions {
    layers = layers == null ? new int[0] : layers.clone();
    freeze = freeze == null ? Set.of() : Set.copyOf(freeze);
    dataRows = dataRows == null ? new int[] {0, 0} : dataRows.clone();
    testRows = testRows == null ? new int[] {0, 0} : testRows.clone();
    progress = progress == null ? ProgressListener.none() : progress;
    if (states < 0 || states > 0 && layers.length > 0) {
      throw new IllegalArgumentException("give either --states N or --layers, not both");
    }
    if (!optimizer.equals("adam") && !optimizer.equals("sgd")) {
      throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; expected adam or sgd");
    }
    if (!(scale > 0) || Double.isInfinite(scale) || !(tolerance > 0)) {
      throw new IllegalArgumentException("--scale and --tol must be finite numbers > 0");
    }
  }

  /** The paper's recipe: 10 epochs, Adam lr 1e-3, batch 100, κ automatic, cross-entropy. */
  public static TrainOptions defaults() {
    return new TrainOptions(0, null, 10, 100, 1e-3, "adam", 0.9, null, Defaults.SEED, "cross-entropy", 0, 0,
        null, 1e-6, null, null, null, 1, null, null);
  }

  public TrainOptions withStates(int n) {
    return new TrainOptions(n, null, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withLayers(int... sizes) {
    return new TrainOptions(0, sizes, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withSchedule(int nEpochs, int batch, double rate) {
    return new TrainOptions(states, layers, nEpochs, batch, rate, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withOptimizer(String name, double mom) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, name, mom, kappa, seed, loss, l1, robust, freeze,
        tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withKappa(Double k) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, k, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withSeed(long s) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, s, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withLoss(String name) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, name, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withPenalties(double lambdaL1, double muRobust) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, lambdaL1,
        muRobust, freeze, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withFreeze(Set<String> names) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        names, tolerance, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withTolerance(double tol) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tol, test, dataRows, testRows, scale, curves, progress);
  }

  public TrainOptions withData(int[] rows, Path testSet, int[] testRowRange, double inputScale) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, testSet, rows, testRowRange, inputScale, curves, progress);
  }

  public TrainOptions withCurves(Path png) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, png, progress);
  }

  public TrainOptions withProgress(ProgressListener p) {
    return new TrainOptions(states, layers, epochs, batchSize, lr, optimizer, momentum, kappa, seed, loss, l1, robust,
        freeze, tolerance, test, dataRows, testRows, scale, curves, p);
  }
}
