package org.implicit4j.api;

/** The defaults of every option, in one place; the CLI's and the script language's defaults read them. */
public final class Defaults {
  /** Target ‖A‖∞ bound of rescaling (and of the projection during training). */
  public static final double KAPPA = 0.95;
  /** Seed of generated inputs (verification). */
  public static final long SEED = 42;
  /** Random inputs a verification checks. */
  public static final int SAMPLES = 100;
  /** Absolute tolerance of verification: |ŷ − ref| ≤ atol + rtol·|ref|. */
  public static final double ATOL = 1e-5;
  /** Relative tolerance of verification. */
  public static final double RTOL = 1e-4;
  /** Fixed-point tolerance of the iterative solvers (blockwise relative residual). */
  public static final double SOLVER_TOLERANCE = 1e-12;
  /** Iteration limit of Picard and Anderson. */
  public static final int MAX_ITERATIONS = 10_000;

  private Defaults() {}
}
