package org.implicit4j.solve;

import org.implicit4j.model.ImplicitModel;

/**
 * Solves x = φ(Ax + Bu + b) for a batch of inputs and returns ŷ = Cx + Du + c. A solver that does
 * not reach its tolerance throws {@link ConvergenceException}; it never returns a silent guess.
 */
public interface Solver {
  String name();

  /**
   * @param inputs (Input) batch × p, sample-major: input s is inputs[s·p, (s+1)·p)
   * @throws ConvergenceException when the tolerance is not met within the iteration limit
   */
  Solution solve(ImplicitModel model, double[] inputs, int batch);
}
