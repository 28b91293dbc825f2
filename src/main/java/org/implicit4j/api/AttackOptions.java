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
 * @param limit attack only the first {@code limit} samples (0: all)
 * @param out folder for the report (CSV, JSON), the plot and the attacked inputs (.npy), or null
 */
public record AttackOptions(Method method, int[] ks, double sigma, double lo, double hi, long seed, int target,
    int limit, Path out, ProgressListener progress) {
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
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be \u2265 0, got " + limit);
    }
    ks = ks.clone();
    progress = progress == null ? ProgressListener.none() : progress;
  }

  /** The lecture's budgets 1, 2, 5, 10, 20, 50, 100, no clipping, seed {@link Defaults#SEED}. */
  public static AttackOptions of(Method method, double sigma) {
    return new AttackOptions(method, new int[] {1, 2, 5, 10, 20, 50, 100}, sigma, Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY, Defaults.SEED, -1, 0, null, null);
  }

  public AttackOptions withKs(int... budgets) {
    return new AttackOptions(method, budgets, sigma, lo, hi, seed, target, limit, out, progress);
  }

  public AttackOptions withClip(double low, double high) {
    return new AttackOptions(method, ks, sigma, low, high, seed, target, limit, out, progress);
  }

  public AttackOptions withSeed(long s) {
    return new AttackOptions(method, ks, sigma, lo, hi, s, target, limit, out, progress);
  }

  public AttackOptions withTarget(int t) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, t, limit, out, progress);
  }

  public AttackOptions withLimit(int n) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, n, out, progress);
  }

  public AttackOptions withOut(Path dir) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, limit, dir, progress);
  }

  public AttackOptions withProgress(ProgressListener p) {
    return new AttackOptions(method, ks, sigma, lo, hi, seed, target, limit, out, p);
  }
}
