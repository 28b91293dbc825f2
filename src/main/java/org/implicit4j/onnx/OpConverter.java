package org.implicit4j.onnx;

import java.util.List;

/**
 * Lowers one ONNX op (or op family) to affine values and new states. Converters are pure functions
 * of the node and the values of its inputs; they are registered in {@link ConverterRegistry} with
 * the opset range over which their ONNX semantics hold.
 */
@FunctionalInterface
public interface OpConverter {
  /** The values of the node's outputs, in order. */
  List<Affine> lower(OnnxNodeView node);
}
