package org.implicit4j.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * How to solve x = φ(Ax + Bu + b).
 *
 * @param solver which solver (AUTO: exact back-substitution when A is strictly upper triangular, else Anderson)
 * @param tolerance fixed-point tolerance of the iterative solvers
 * @param maxIterations iteration limit of the iterative solvers; exceeding it throws with the report
 * @param float32 multiply convolution and dense blocks in float32 (the verified fast path)
 */
public record SolveOptions(Solver solver, double tolerance, int maxIterations, boolean float32) {
  /** The solvers, by the names the CLI and scripts use. */
  public enum Solver {
    AUTO("auto"), BACK_SUBSTITUTION("back-substitution"), PICARD("picard"), ANDERSON("anderson");

    private final String cliName;

    Solver(String cliName) {
      this.cliName = cliName;
    }

    public String cliName() {
      return cliName;
    }

    /** The solver called {@code name} ("backsub" too); unknown names throw, listing the valid ones. */
    public static Solver parse(String name) {
      for (Solver s : values()) {
        if (s.cliName.equals(name.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      if (name.equals("backsub")) {
        return BACK_SUBSTITUTION;
      }
      throw new IllegalArgumentException("unknown solver '" + name + "'; expected one of "
          + Arrays.stream(values()).map(Solver::cliName).toList());
    }
  }

  public SolveOptions {
    if (!(tolerance > 0) || maxIterations <= 0) {
      throw new IllegalArgumentException("solver options: tolerance and iteration limit must be positive");
    }
  }

  public static SolveOptions defaults() {
    return new SolveOptions(Solver.AUTO, Defaults.SOLVER_TOLERANCE, Defaults.MAX_ITERATIONS, false);
  }

  public SolveOptions withSolver(Solver s) {
    return new SolveOptions(s, tolerance, maxIterations, float32);
  }

  public SolveOptions withTolerance(double tol) {
    return new SolveOptions(solver, tol, maxIterations, float32);
  }

  public SolveOptions withMaxIterations(int max) {
    return new SolveOptions(solver, tolerance, max, float32);
  }

  public SolveOptions withFloat32(boolean f) {
    return new SolveOptions(solver, tolerance, maxIterations, f);
  }
}
