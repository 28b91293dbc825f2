package org.implicit4j.solve;

/**
 * Settings shared by the solvers.
 *
 * @param tolerance stop when, for every sample and state block b, ‖g(x)_b − x_b‖∞ ≤ tolerance · ‖g(x)_b‖∞
 * @param maxIterations give up (and throw) after this many map evaluations
 * @param andersonMemory number of past iterates Anderson mixes (m)
 * @param andersonRegularization Tikhonov term added to the Anderson Gram matrix, relative to its trace
 * @param measureResidual whether back-substitution re-evaluates the map once to report its residual
 */
public record SolverOptions(double tolerance, int maxIterations, int andersonMemory,
    double andersonRegularization, boolean measureResidual) {

  public SolverOptions {
    if (!(tolerance > 0) || maxIterations <= 0 || andersonMemory <= 0 || andersonRegularization < 0) {
      throw new IllegalArgumentException("solver options: tolerance and limits must be positive");
    }
  }

  public static SolverOptions defaults() {
    return new SolverOptions(1e-12, 10_000, 5, 1e-10, true);
  }

  public SolverOptions withTolerance(double tol) {
    return new SolverOptions(tol, maxIterations, andersonMemory, andersonRegularization, measureResidual);
  }

  public SolverOptions withMaxIterations(int max) {
    return new SolverOptions(tolerance, max, andersonMemory, andersonRegularization, measureResidual);
  }

  public SolverOptions withMeasureResidual(boolean measure) {
    return new SolverOptions(tolerance, maxIterations, andersonMemory, andersonRegularization, measure);
  }
}
