package org.implicit4j.solve;

import java.util.List;
import org.implicit4j.model.ImplicitModel;

/** Solver registry: look a solver up by name, or let {@link #auto} pick the exact one when it applies. */
public final class Solvers {
  /** Names accepted by {@link #named}. */
  public static final List<String> NAMES = List.of("auto", "back-substitution", "picard", "anderson");

  private Solvers() {}

  /** The solver called {@code name}; unknown names throw, listing the valid ones. */
  public static Solver named(String name, SolverOptions options) {
    switch (name) {
      case "auto":
        return auto(options);
      case "back-substitution":
      case "backsub":
        return new BackSubstitution(options);
      case "picard":
        return new Picard(options);
      case "anderson":
        return new Anderson(options);
      default:
        throw new IllegalArgumentException("unknown solver '" + name + "'; expected one of " + NAMES);
    }
  }

  /** Back-substitution when A is strictly block upper triangular, Anderson otherwise. */
  public static Solver auto(SolverOptions options) {
    return new Solver() {
      @Override public String name() { return "auto"; }

      @Override public Solution solve(ImplicitModel model, double[] inputs, int batch) {
        return pick(model).solve(model, inputs, batch);
      }

      @Override public Predictions predict(ImplicitModel model, double[] inputs, int batch) {
        return pick(model).predict(model, inputs, batch);
      }

      @Override public Predictions predict(ImplicitModel model, float[] inputs, int batch) {
        return pick(model).predict(model, inputs, batch);
      }

      private Solver pick(ImplicitModel model) {
        return model.isStrictlyUpperTriangular() ? new BackSubstitution(options) : new Anderson(options);
      }
    };
  }

  /** Predictions (no states) of one batch with the automatic choice and default options. */
  public static Predictions predict(ImplicitModel model, double[] inputs, int batch) {
    return auto(SolverOptions.defaults()).predict(model, inputs, batch);
  }

  /** Solves one batch with the automatic choice and default options. */
  public static Solution solve(ImplicitModel model, double[] inputs, int batch) {
    return auto(SolverOptions.defaults()).solve(model, inputs, batch);
  }
}
