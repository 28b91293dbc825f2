package org.implicit4j.solve;

import org.implicit4j.linalg.Floats;
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

  /**
   * The predictions of {@link #solve} without the states. A solver may then keep fewer states in
   * memory at a time ({@link BackSubstitution}: a chunk of samples per thread instead of the batch).
   */
  default Predictions predict(ImplicitModel model, double[] inputs, int batch) {
    Solution s = solve(model, inputs, batch);
    return new Predictions(s.outputs(), s.q(), s.batch(), s.report());
  }

  /**
   * {@link #predict(ImplicitModel, double[], int)} of float inputs (the type of a float32 ONNX
   * tensor), here widened to double, which is exact; a solver may read them as they are.
   */
  default Predictions predict(ImplicitModel model, float[] inputs, int batch) {
    return predict(model, Floats.widened(inputs, 0, inputs.length), batch);
  }
}
