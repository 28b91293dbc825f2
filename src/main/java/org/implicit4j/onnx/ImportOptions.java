package org.implicit4j.onnx;

import java.util.Map;

/**
 * Import settings.
 *
 * @param inputShapes per graph input name (or "" for the only input), its shape without the batch
 *     dimension; needed when the network declares symbolic dimensions other than the batch
 * @param boundInputs graph inputs fixed to constants (e.g. an int64 Reshape target fed as an input)
 * @param maxStates refuse networks with more states than this, before allocating them
 */
public record ImportOptions(Map<String, int[]> inputShapes, Map<String, Tensor> boundInputs, long maxStates) {
  public static ImportOptions defaults() {
    return new ImportOptions(Map.of(), Map.of(), 1L << 26);
  }

  public ImportOptions withInputShape(String input, int[] shape) {
    java.util.Map<String, int[]> m = new java.util.HashMap<>(inputShapes);
    m.put(input, shape);
    return new ImportOptions(m, boundInputs, maxStates);
  }

  public ImportOptions withBoundInputs(Map<String, Tensor> bound) {
    return new ImportOptions(inputShapes, Map.copyOf(bound), maxStates);
  }

  public ImportOptions withMaxStates(long max) {
    return new ImportOptions(inputShapes, boundInputs, max);
  }
}
