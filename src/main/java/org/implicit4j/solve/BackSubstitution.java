package org.implicit4j.solve;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.implicit4j.Implicit4jException;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.linalg.Floats;
import org.implicit4j.linalg.Parallel;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.SolveReport;

/**
 * Exact solve for strictly block upper-triangular A: from the last state block up,
 * x_i = φ_i(Σ_{j>i} A_ij x_j + B_i u + b_i). Every x_j on the right is final when it is used, so
 * one pass gives the unique equilibrium (for a network, this is the forward pass). The pass runs
 * the model's {@link SolvePlan}: the blocks in that order, max-pool trees as pooling kernels.
 *
 * <p>The batch is cut into chunks of samples ({@link #chunk}: at most 16, fewer when their states
 * outgrow a core's L2; shorter at the end, {@link #chunkStarts}); each chunk is solved start to
 * finish (b + Bu, the blocks, ŷ) while its states are in cache. {@link #predict} keeps only one
 * chunk's states per thread, in float for a float32 model.
 */
public final class BackSubstitution implements Solver {
  /** Bytes of states a chunk keeps: one sample's blocks after another stay in cache. */
  private static final long STATE_BUDGET = 4L << 20;
  /** State bytes a chunk keeps within, where it can: a core's L2 (512 KB on Zen 3), between layers. */
  private static final long L2_BYTES = 512L << 10;

  private final SolverOptions options;

  public BackSubstitution(SolverOptions options) {
    this.options = options;
  }

  @Override public String name() { return "back-substitution"; }

  /** Thrown when asked to back-substitute a model whose A is not strictly block upper triangular. */
  public static final class NotTriangularException extends Implicit4jException {
    NotTriangularException() {
      super(Category.BAD_INPUT, "back-substitution needs a strictly block upper-triangular A; "
          + "use --solver picard or anderson for this model");
    }
  }

  @Override
  public Solution solve(ImplicitModel model, double[] inputs, int batch) {
    DimensionMismatchException.check("solve", "input values", inputs.length, "batch·p", (long) batch * model.p());
    BatchTooLargeException.check(batch, model.n());
    double[] states = new double[batch * model.n()];
    Predictions p = run(model, new Inputs.Doubles(inputs), batch, states);
    return new Solution(states, p.outputs(), model.n(), model.q(), batch, p.report());
  }

  /**
   * {@inheritDoc} A float32 model ({@link ImplicitModel#isFloat32}) is solved with float32 states,
   * as ONNX Runtime runs a float32 network; its residual is then measured against those states.
   */
  @Override
  public Predictions predict(ImplicitModel model, double[] inputs, int batch) {
    DimensionMismatchException.check("solve", "input values", inputs.length, "batch·p", (long) batch * model.p());
    return run(model, new Inputs.Doubles(inputs), batch, null);
  }

  /**
   * {@inheritDoc} A float32 model's products read the floats in place, as ONNX Runtime reads a
   * float32 tensor; double inputs are first rounded to float a chunk at a time (4% of mnistfc's
   * float32 solve at batch 256, memory-bound). The outputs are those of {@link #predict(ImplicitModel,
   * double[], int)} of the same values widened, bit for bit.
   */
  @Override
  public Predictions predict(ImplicitModel model, float[] inputs, int batch) {
    DimensionMismatchException.check("solve", "input values", inputs.length, "batch·p", (long) batch * model.p());
    return run(model, new Inputs.Float32(inputs), batch, null);
  }

  /** Solves every chunk into {@code states} at its place, or, when null, into a reused per-thread buffer. */
  private Predictions run(ImplicitModel model, Inputs in, int batch, double[] states) {
    if (!model.isStrictlyUpperTriangular()) {
      throw new NotTriangularException();
    }
    int n = model.n();
    boolean fp32 = states == null && model.isFloat32();
    int chunk = chunk(n, batch, fp32 ? Float.BYTES : Double.BYTES);
    int[] starts = chunkStarts(batch, chunk, Runtime.getRuntime().availableProcessors());
    int chunks = starts.length - 1;
    double[] outputs = new double[batch * model.q()];
    Checks checks = new Checks(options.measureResidual(), batch);
    long work = (long) chunk * Math.max(n, model.a().storedValues()); // per chunk: its states and A's entries
    boolean check = options.measureResidual();
    double[] inputs = fp32 ? null : in.doubles();
    Parallel.forEach(chunks, work, c -> {
      int from = starts[c];
      int count = starts[c + 1] - from;
      if (fp32) {
        float[] x = Buffers.floats(chunk * n);
        solveChunk(model, in, from, count, x, outputs);
        checks.add(from, count, check && Checks.nonFiniteEnds(model, in, outputs, from, count),
            s -> Checks.residual(model, in, s, x, (s - from) * n));
        return;
      }
      double[] x = states != null ? states : Buffers.doubles(chunk * n);
      int xo = states != null ? from * n : 0;
      solveChunk(model, inputs, from, count, x, xo, outputs);
      boolean bad = states != null ? Checks.hasNonFinite(x, xo, xo + count * n)
          : Checks.nonFiniteEnds(model, in, outputs, from, count);
      checks.add(from, count, check && bad,
          s -> Checks.residual(model, inputs, s, Arrays.copyOfRange(x, xo + (s - from) * n, xo + (s - from + 1) * n)));
    });
    SolveReport report = ConvergenceException.requireConverged(checks.report(name()));
    return new Predictions(outputs, model.q(), batch, report);
  }

  /** A batch's inputs as given, sample-major: doubles, or floats that float32 products read in place. */
  private sealed interface Inputs {
    /** The values as doubles: these, or a widened copy. */
    double[] doubles();

    /**
     * The array holding samples [from, from + count) as floats: these, or a buffer of {@code buffer}
     * (asked only then) with them rounded into it.
     */
    float[] floats(int from, int count, int p, IntFunction<float[]> buffer);

    /** Where sample {@code from} starts in {@link #floats}' array. */
    int floatsAt(int from, int p);

    /** Whether a value in [from, to) is NaN or ±∞. */
    boolean nonFinite(int from, int to);

    /** ŷ += D u for samples [from, from + count), ŷ_s at s·q. */
    void addDu(ImplicitModel model, int from, int count, double[] y);

    record Doubles(double[] values) implements Inputs {
      @Override public double[] doubles() { return values; }

      @Override public float[] floats(int from, int count, int p, IntFunction<float[]> buffer) {
        float[] buf = buffer.apply(count * p);
        Floats.round(values, from * p, buf, 0, count * p);
        return buf;
      }

      @Override public int floatsAt(int from, int p) { return 0; }

      @Override public boolean nonFinite(int from, int to) { return Checks.hasNonFinite(values, from, to); }

      @Override public void addDu(ImplicitModel model, int from, int count, double[] y) {
        model.d().multAdd(values, from * model.p(), model.p(), y, from * model.q(), model.q(), count);
      }
    }

    record Float32(float[] values) implements Inputs {
      @Override public double[] doubles() { return Floats.widened(values, 0, values.length); }

      @Override public float[] floats(int from, int count, int p, IntFunction<float[]> buffer) { return values; }

      @Override public int floatsAt(int from, int p) { return from * p; }

      @Override public boolean nonFinite(int from, int to) {
        for (int i = from; i < to; i++) {
          if (!Float.isFinite(values[i])) {
            return true;
          }
        }
        return false;
      }

      @Override public void addDu(ImplicitModel model, int from, int count, double[] y) {
        int p = model.p();
        if (model.d().storedValues() > 0) { // mostly none: ONNX networks have D = 0
          model.d().multAdd(Floats.widened(values, from * p, count * p), 0, p, y, from * model.q(), model.q(), count);
        }
      }
    }
  }

  /**
   * Per thread, the last chunk state buffers, kept for the next solve (a chunk writes every state,
   * b + Bu first, before it reads one). A batch-1 solve of mnist8-zoo allocated and zeroed 71 KB a
   * call. Buffers above {@link #KEPT} values are not kept.
   */
  private static final class Buffers {
    private static final int KEPT = 1 << 20;
    private static final ThreadLocal<float[]> FLOATS = new ThreadLocal<>();
    private static final ThreadLocal<double[]> DOUBLES = new ThreadLocal<>();
    private static final ThreadLocal<float[]> INPUTS = new ThreadLocal<>();

    static float[] floats(int len) {
      return floats(FLOATS, len);
    }

    /** The chunk's inputs rounded to float (mnistfc at batch 256 allocated 200 KB a chunk). */
    static float[] inputs(int len) {
      return floats(INPUTS, len);
    }

    private static float[] floats(ThreadLocal<float[]> slot, int len) {
      float[] b = slot.get();
      if (b == null || b.length < len) {
        b = new float[len];
        slot.set(len <= KEPT ? b : null);
      }
      return b;
    }

    static double[] doubles(int len) {
      double[] b = DOUBLES.get();
      if (b == null || b.length < len) {
        b = new double[len];
        DOUBLES.set(len <= KEPT ? b : null);
      }
      return b;
    }
  }

  /**
   * Samples that {@link #predict} solves at a time for this model and batch (the rule below, with
   * float32 states for a float32 model; {@link #chunkStarts} shortens the batch's last ones), for
   * tools that time the solve's products on the chunks it runs.
   */
  public static int chunk(ImplicitModel model, int batch) {
    return chunk(model.n(), batch, model.isFloat32() ? Float.BYTES : Double.BYTES);
  }

  /**
   * Samples per chunk: 16, the batch from which all dense blocks use OpenBLAS ({@code
   * NativeBlas.MIN_BATCH}), or the batch when smaller; fewer (down to 2) when their states outgrow a
   * core's L2 ({@link #L2_BYTES}), and fewer still when they outgrow {@link #STATE_BUDGET}. Larger
   * batches make more chunks, not larger ones: a chunk's states then stay in L2 between layers, and a
   * thread that finishes early takes the next chunk instead of waiting. Measured on 2 threads, ms a
   * batch, alternated runs:
   * <ul>
   *   <li>resnet2b float32, batch 256 (25 KB a sample): chunks of 64 5.5–6.0, of 16 4.5–5.3;
   *   <li>resnet2b fp64, batch 64: 16 → 8 faster in 6 of 8 pairs (1.87–2.64 → 1.50–2.28); the rule
   *       gives 10;
   *   <li>mnist8 fp64, batch 64 (142 KB a sample): 16 → 6 faster in 3 of 3 (3.19–3.32 → 2.63–3.13),
   *       16 → 3 (the rule) in 2 of 3;
   *   <li>mnistfc, oval21 and mnist8 float32: within the noise; mnist8 float32 at batch 64 was 1.97
   *       in chunks of 32, 1.74 in chunks of 16.
   * </ul>
   */
  private static int chunk(int n, int batch, int bytes) {
    long fit = Math.max(1, STATE_BUDGET / (8L * Math.max(1, n)));
    long inL2 = Math.max(2, L2_BYTES / ((long) bytes * Math.max(1, n)));
    return (int) Math.max(1, Math.min(Math.min(fit, inL2), Math.min(batch, 16)));
  }

  /**
   * Where the chunks start, and the batch's end: chunks of {@code chunk} samples while more than one
   * for each thread is left, then half as large each time the rest fits one each, down to a quarter
   * of a chunk. The team hands out chunks in order, so the last ones are short and a thread that
   * finishes early takes one instead of waiting for the other's last long chunk. resnet2b float32 at
   * batch 64, 2 threads, in even chunks of 16: the calling thread spent 8% of the solve's samples
   * waiting at the end (perf), 0.01% with chunks 16, 16, 8, 8, 4, 4, 4, 4; oval21 6.2% → 1.8%.
   * mnistfc, whose chunks each read the weights again: batch 256 as fast (3 of 6 alternated pairs),
   * batch 64 faster in 6 of 6 (229–259 against 250–297 µs).
   */
  static int[] chunkStarts(int batch, int chunk, int threads) {
    int least = (chunk + 3) / 4;
    int[] starts = new int[(batch + least - 1) / least + 1];
    int chunks = 0;
    int size = chunk;
    for (int from = 0; from < batch; from += Math.min(size, batch - from)) {
      while (size > least && batch - from <= (long) threads * size) {
        size = (size + 1) / 2; // from chunk, two halvings give least exactly: ⌈⌈c/2⌉/2⌉ = ⌈c/4⌉
      }
      starts[chunks++] = from;
    }
    starts[chunks] = batch;
    return Arrays.copyOf(starts, chunks + 1);
  }

  /** Samples [from, from + count) into x from xo: b + Bu, the blocks in place from the last, then ŷ. */
  private static void solveChunk(ImplicitModel model, double[] inputs, int from, int count, double[] x, int xo,
      double[] y) {
    int n = model.n();
    int p = model.p();
    for (int s = 0; s < count; s++) {
      model.stateBiasInto(x, xo + s * n);
    }
    model.b().multAdd(inputs, from * p, p, x, xo, n, count);
    SolvePlan.of(model).substitute(model, x, xo, count);
    FixedPointMap.predictInto(model, x, xo, inputs, from, count, y);
  }

  /**
   * {@link #solveChunk} with float32 states from x[0]: the chunk's inputs as floats (rounded as ONNX
   * Runtime receives them, or as given), b + Bu and the blocks in float, ŷ = c + Cx + Du summed into
   * double.
   */
  private static void solveChunk(ImplicitModel model, Inputs in, int from, int count, float[] x, double[] y) {
    int n = model.n();
    int p = model.p();
    int q = model.q();
    float[] u = in.floats(from, count, p, Buffers::inputs);
    for (int s = 0; s < count; s++) {
      model.stateBiasInto(x, s * n);
    }
    model.b().multAdd(u, in.floatsAt(from, p), p, x, 0, n, count);
    SolvePlan.of(model).substitute(model, x, 0, count);
    float[] cx = new float[count * q];
    model.c().multAdd(x, 0, n, cx, 0, q, count);
    for (int s = 0; s < count; s++) {
      model.outputBiasInto(y, (from + s) * q);
      for (int i = 0; i < q; i++) {
        y[(from + s) * q + i] += cx[s * q + i];
      }
    }
    in.addDu(model, from, count, y);
  }

  /**
   * The run's checks, gathered from the chunks: every state finite ({@code solve}; {@code predict}
   * checks the inputs and outputs, see {@link #nonFiniteEnds}), checked while the chunk is in
   * cache, and the residual of g at the first and the last sample, each re-evaluated as a batch of
   * one (a check of the exact solve at a fraction of its cost).
   */
  private static final class Checks {
    private final boolean on;
    private final int batch;
    private boolean nonFinite;
    private double abs;
    private double rel;

    Checks(boolean on, int batch) {
      this.on = on;
      this.batch = batch;
    }

    /** A chunk's checks: whether it met a NaN/Inf, and the {abs, rel} residual of its samples. */
    void add(int from, int count, boolean bad, IntFunction<double[]> residual) {
      if (!on) {
        return;
      }
      for (int s : batch == 1 ? new int[] {0} : new int[] {0, batch - 1}) {
        if (s >= from && s < from + count) {
          record(bad, residual.apply(s));
        }
      }
      record(bad, new double[2]);
    }

    private synchronized void record(boolean bad, double[] r) {
      nonFinite |= bad;
      abs = Math.max(abs, r[0]);
      rel = Math.max(rel, r[1]);
    }

    synchronized SolveReport report(String method) {
      // Exact up to rounding: only a NaN/Inf (overflow in the weights or inputs) can fail here.
      boolean ok = Double.isFinite(abs) && !nonFinite;
      return new SolveReport(method, 0, abs, rel, ok, batch, on ? Math.min(batch, 2) : 0);
    }

    /**
     * {abs, rel} residual of g at a float32 state of sample s, x[off, off + n): g evaluated on float
     * states with the float kernels, as the solve ran (a quarter of the cost of the double map).
     */
    static double[] residual(ImplicitModel model, Inputs in, int s, float[] x, int off) {
      int n = model.n();
      int p = model.p();
      float[] xs = Arrays.copyOfRange(x, off, off + n);
      float[] g = new float[n];
      model.stateBiasInto(g, 0);
      model.b().multAdd(in.floats(s, 1, p, float[]::new), in.floatsAt(s, p), p, g, 0, n, 1);
      model.a().multAdd(xs, 0, n, g, 0, n, 1);
      for (StateBlock blk : model.states()) {
        blk.activation().applyInPlace(g, blk.offset(), blk.size());
      }
      return FixedPointMap.residuals(model, xs, g);
    }

    /** {abs, rel} residual of g at sample s, whose state is xs. */
    static double[] residual(ImplicitModel model, double[] inputs, int s, double[] xs) {
      int p = model.p();
      FixedPointMap one = new FixedPointMap(model, Arrays.copyOfRange(inputs, s * p, (s + 1) * p), 1);
      double[] gx = new double[model.n()];
      one.apply(xs, gx);
      return new double[] {FixedPointMap.maxAbsDiff(gx, xs), one.blockRelativeResidual(xs, gx)};
    }

    static boolean hasNonFinite(double[] x, int from, int to) {
      for (int i = from; i < to; i++) {
        if (!Double.isFinite(x[i])) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether an input or an output of samples [from, from + count) is NaN/Inf: {@code predict}'s
     * check, which returns no states. A NaN or ±∞ state reaches the outputs it feeds (NaN and +∞
     * pass ReLU and every product by a nonzero weight; ∞ − ∞ and 0·∞ are NaN); what it does not
     * reach is either no output's or the IEEE limit the network computes too (ReLU(−∞) = 0,
     * tanh(±∞) = ±1), as ONNX Runtime would. Scanning every state cost ResNet-20 45 µs of a
     * thread a sample (188,416 states at 0.24 ns, a loop C2 does not vectorise).
     */
    static boolean nonFiniteEnds(ImplicitModel model, Inputs in, double[] outputs, int from, int count) {
      int p = model.p();
      int q = model.q();
      return in.nonFinite(from * p, (from + count) * p) || hasNonFinite(outputs, from * q, (from + count) * q);
    }
  }
}
