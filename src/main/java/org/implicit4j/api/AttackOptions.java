package org.implicit4j.api;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A sparse bounded attack on a labelled data set (El Ghaoui et al. §4; docs/MATHS.md §5).
 *
 * @param method sensitivity, lp or gradient
 * @param ks the budgets: numbers of inputs changed
 * @param sigma the box half-width σu of every input
 * @param lo the lower end of the valid input range
 * @param hi the upper end of the valid input range
 * @param target the class the sensitivity attack targets, or −1 for each sample's true class
 * @param skip leave out the first {@code skip} samples (e.g. a training part of the file)
 * @param limit attack only the first {@code limit} samples after those (0: all)
 * @param scale multiply every input read by this (e.g. 1/16 for 0–16 pixels); IDX pixels are already in [0, 1]
 * @param out folder for the report (CSV, JSON), the plot and the attacked inputs (.npy), or null
 */
public record AttackOptions(Method method, int[] ks, double sigma, double lo, double hi, long seed, int target,
    int skip, int limit, double scale, Path out, ProgressListener progress) {
  /** The attacks. */
  public enum Method {
    SENSITIVITY, LP, GRADIENT;

    public static Method parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown attack method '" + s + "'; expected sensitivity, lp or gradient");
      }
    }
  }

  public AttackOptions {
    if (ks.length == 0 || Arrays.stream(ks).anyMatch(k -> k < 1)) {
      throw new IllegalArgumentException("--k needs budgets \u2265 1, got " + Arrays.toString(ks));
    }
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("--sigma must be a finite number > 0, got " + sigma);
    }
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("--clip lo,hi needs lo \u2264 hi, got " + lo + "," + hi);
    }
    if (limit < 0 || skip < 0) {
      throw new IllegalArgumentException("--skip and --limit must be \u2265 0, got " + skip + " and " + limit);
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("--scale must be a finite number > 0, got " + scale);
    }
    ks = ks.clone();
    progress = progress == null ? ProgressListener.none() : progress;
  }

  /** The lecture's budgets 1, 2, 5, 10, 20, 50, 100, no clipping, seed {@link Defaults#SEED}. */
  public static AttackOptions of(Method method, double sigma) {
    return new AttackOptions(method, new int[] {1, 2, 5, 10, 20, 50, 100}, sigma, Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY, Defaults.SEED, -1, 0, 0, 1, null, null);
  }

  public AttackOptions withKs(int... budgets) {
    return new AttackOptions(method, budgets, sigma, lo, hi, seed, target, skip, limit, scale, out, progress);
  }

  public AttackOptions withClip(double low, double high) {
    return new AttackOptions(method, ks, sigma, low, high, seed, target, skip, limit, scale, out, progress);
  }

  public AttackOptions withSeed(long s) {
    return new AttackOptions(method, ks, sigma, lo, hi, s, target, skip, limit, scale, out, progress);
  }

  public AttackOptions withTarget(int t) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, t, skip, limit, scale, out, progress);
  }

  public AttackOptions withRows(int from, int n) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, from, n, scale, out, progress);
  }

  public AttackOptions withScale(double f) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, skip, limit, f, out, progress);
  }

  public AttackOptions withOut(Path dir) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, skip, limit, scale, dir, progress);
  }

  public AttackOptions withProgress(ProgressListener p) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, skip, limit, scale, out, p);
  }
}
