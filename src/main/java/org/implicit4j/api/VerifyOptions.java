package org.implicit4j.api;

import java.nio.file.Path;

/**
 * How to verify a conversion against ONNX Runtime: {@code samples} seeded random inputs uniform in
 * [0, 1) plus the rows of the CSV file {@code extraInputs} (may be null), compared with |ŷ − ref| ≤ atol + rtol·|ref|.
 *
 * @param perLayer also compare every state block with the ONNX tensor it reproduces
 * @param float32 verify the float32 fast path instead of the double one
 * @param progress told of the samples done (for progress bars); may be null
 */
public record VerifyOptions(int samples, long seed, Path extraInputs, double atol, double rtol,
    boolean perLayer, boolean float32, LoadOptions load, ProgressListener progress) {
  public VerifyOptions {
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be \u2265 0, got " + samples);
    }
    if (!(atol >= 0) || !(rtol >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)) {
      throw new IllegalArgumentException("--atol and --rtol must be finite numbers \u2265 0, got " + atol + " and "
          + rtol);
    }
    if (samples > 10_000_000) {
      throw new IllegalArgumentException("--samples " + samples + " is more than this verifier holds at once "
          + "(10,000,000); verify in several runs with different --seed");
    }
    load = load == null ? LoadOptions.defaults() : load;
    progress = progress == null ? ProgressListener.none() : progress;
  }

  public static VerifyOptions defaults() {
    return new VerifyOptions(Defaults.SAMPLES, Defaults.SEED, null, Defaults.ATOL, Defaults.RTOL, false, false,
        LoadOptions.defaults(), null);
  }

  public VerifyOptions withSamples(int n) {
    return new VerifyOptions(n, seed, extraInputs, atol, rtol, perLayer, float32, load, progress);
  }

  public VerifyOptions withSeed(long s) {
    return new VerifyOptions(samples, s, extraInputs, atol, rtol, perLayer, float32, load, progress);
  }

  public VerifyOptions withExtraInputs(Path rows) {
    return new VerifyOptions(samples, seed, rows, atol, rtol, perLayer, float32, load, progress);
  }

  public VerifyOptions withTolerances(double a, double r) {
    return new VerifyOptions(samples, seed, extraInputs, a, r, perLayer, float32, load, progress);
  }

  public VerifyOptions withPerLayer(boolean p) {
    return new VerifyOptions(samples, seed, extraInputs, atol, rtol, p, float32, load, progress);
  }

  public VerifyOptions withFloat32(boolean f) {
    return new VerifyOptions(samples, seed, extraInputs, atol, rtol, perLayer, f, load, progress);
  }

  public VerifyOptions withLoad(LoadOptions l) {
    return new VerifyOptions(samples, seed, extraInputs, atol, rtol, perLayer, float32, l, progress);
  }

  public VerifyOptions withProgress(ProgressListener p) {
    return new VerifyOptions(samples, seed, extraInputs, atol, rtol, perLayer, float32, load, p);
  }
}
