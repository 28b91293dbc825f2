package org.implicit4j.onnx;

import java.util.Map;

/**
 * Import settings.
 *
 * @param inputShapes per graph input name (or "" for the only input), its shape without the batch
 *     dimension; needed when the network declares symbolic dimensions other than the batch
 * @param boundInputs graph inputs fixed to constants (e.g. an int64 Reshape target fed as an input)
 * @param maxStates refuse networks with more states than this, before allocating them
 * @param keepTrailingSoftmax lower a Softmax/LogSoftmax that produces a graph output like any other
 *     (ŷ holds probabilities); by default it is left out and ŷ holds the logits, which suits
 *     robustness analysis and keeps the model piecewise linear
 */
public record ImportOptions(Map<String, int[]> inputShapes, Map<String, Tensor> boundInputs, long maxStates,
    boolean keepTrailingSoftmax) {
  public static ImportOptions defaults() {
    return new ImportOptions(Map.of(), Map.of(), 1L << 26, false);
  }

  public ImportOptions withTrailingSoftmax(boolean keep) {
    return new ImportOptions(inputShapes, boundInputs, maxStates, keep);
  }

  public ImportOptions withInputShape(String input, int[] shape) {
    java.util.Map<String, int[]> m = new java.util.HashMap<>(inputShapes);
    m.put(input, shape);
    return new ImportOptions(m, boundInputs, maxStates, keepTrailingSoftmax);
  }

  public ImportOptions withBoundInputs(Map<String, Tensor> bound) {
    return new ImportOptions(inputShapes, Map.copyOf(bound), maxStates, keepTrailingSoftmax);
  }

  public ImportOptions withMaxStates(long max) {
    return new ImportOptions(inputShapes, boundInputs, max, keepTrailingSoftmax);
  }
}
