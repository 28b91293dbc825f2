package org.implicit4j.onnx;

import java.util.List;
import java.util.Map;
import org.implicit4j.model.ImplicitModel;

/**
 * An imported network: the implicit model and what verification needs to run the ONNX graph
 * beside it.
 *
 * @param inputs graph inputs feeding u, in order, with their full shapes (batch dimension 1)
 * @param outputs ONNX tensors whose values ŷ reproduces, in order (the logits when a trailing
 *     Softmax was dropped)
 * @param droppedSoftmax "Softmax"/"LogSoftmax" when a trailing one was left out of ŷ, else null
 * @param stateTensors model state block index → the ONNX tensor it equals (blocks without one are absent)
 */
public record ImportResult(ImplicitModel model, List<GraphInput> inputs, List<String> outputs,
    String droppedSoftmax, Map<Integer, String> stateTensors, Map<String, Tensor> boundInputs, int opset) {

  /** The same import with another model of the same interface (e.g. its float32-kernel twin). */
  public ImportResult withModel(ImplicitModel m) {
    return new ImportResult(m, inputs, outputs, droppedSoftmax, stateTensors, boundInputs, opset);
  }

  /** One graph input: its name, full shape used (leading batch dimension 1) and ONNX element type. */
  public record GraphInput(String name, int[] shape, int elementType) {}
}
