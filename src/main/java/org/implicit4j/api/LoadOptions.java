package org.implicit4j.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.implicit4j.model.Shape;

/**
 * How to load a MODEL argument that is an ONNX network (model files need none).
 *
 * @param inputShapes per graph input name ("" for the only input), its shape without the batch
 *     dimension; needed when the network declares symbolic dimensions other than the batch
 * @param keepTrailingSoftmax import a Softmax/LogSoftmax that gives an output (ŷ holds
 *     probabilities); by default it is left out and ŷ holds the logits
 */
public record LoadOptions(Map<String, Shape> inputShapes, boolean keepTrailingSoftmax) {
  public LoadOptions {
    inputShapes = Map.copyOf(inputShapes);
  }

  public static LoadOptions defaults() {
    return new LoadOptions(Map.of(), false);
  }

  /** The same options, keeping (or leaving out) a trailing Softmax/LogSoftmax. */
  public LoadOptions withTrailingSoftmax(boolean keep) {
    return new LoadOptions(inputShapes, keep);
  }

  /** The same options with the shape of one input ("" for the only one). */
  public LoadOptions withInputShape(String input, Shape shape) {
    Map<String, Shape> m = new LinkedHashMap<>(inputShapes);
    m.put(input, shape);
    return new LoadOptions(m, keepTrailingSoftmax);
  }

  /** Options from "NAME=1x28x28" or "1x28x28" (the only input) specs, as the CLI's --input-shape takes them. */
  public static LoadOptions fromSpecs(List<String> specs) {
    LoadOptions o = defaults();
    for (String s : specs == null ? List.<String>of() : specs) {
      int eq = s.lastIndexOf('=');
      o = o.withInputShape(eq < 0 ? "" : s.substring(0, eq), Shape.parse(s.substring(eq + 1)));
    }
    return o;
  }
}
