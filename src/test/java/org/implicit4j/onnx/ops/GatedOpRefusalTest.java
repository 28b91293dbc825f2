package org.implicit4j.onnx.ops;

import static org.implicit4j.onnx.ops.ConverterTest.dims;
import static org.implicit4j.onnx.ops.ConverterTest.floats;
import static org.implicit4j.onnx.ops.ConverterTest.i;
import static org.implicit4j.onnx.ops.ConverterTest.longs;
import static org.implicit4j.onnx.ops.ConverterTest.node;
import static org.implicit4j.onnx.ops.ConverterTest.one;
import static org.implicit4j.onnx.ops.ConverterTest.scalar;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Set;
import org.implicit4j.OnnxGraphs;
import org.implicit4j.onnx.ImportException;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

/**
 * What the recurrent, gated and attention converters refuse: each refusal names the node and op
 * and says what is unsupported, instead of importing something else.
 */
class GatedOpRefusalTest {
  private static void assertRefused(ConverterTest.Case c, String... parts) {
    OnnxMl.ModelProto proto = ConverterTest.model(c);
    ImportException e = assertThrows(ImportException.class,
        () -> OnnxImporter.importModel(proto, c.name() + ".onnx", null, ImportOptions.defaults()));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void recurrentActivationOutsideTheSupportedThree() {
    assertRefused(ConverterTest.recurrent("rnn elu", "RNN", 1, 1, 0, 0, List.of(),
        OnnxGraphs.stringsAttr("activations", "Elu")), "(RNN, opset 14)", "activation Elu", "Sigmoid, Tanh, Relu");
  }

  @Test
  void sequenceLengthsShorterThanTheInput() {
    assertRefused(ConverterTest.recurrent("gru short", "GRU", 3, 1, 0, 0, List.of(
        OnnxMl.TensorProto.newBuilder().setName("lens").setDataType(6).addDims(1).addInt32Data(2).build())),
        "(GRU, opset 14)", "sequence_lens 2 shorter than the 3 steps");
  }

  @Test
  void powWithAnExponentOutsideTheExactSet() {
    assertRefused(one("pow 1.5", "Pow", 15, dims(1, 6), List.of(scalar("p", 1.5f))), "(Pow, opset 15)",
        "exponent 1.5", "supported: 0.5, -0.5, -1, 1, 2, 3, 4");
  }

  @Test
  void einsumWhoseSubscriptsDoNotFitTheOperand() {
    assertRefused(new ConverterTest.Case("einsum rank", Set.of("Einsum"), 17, dims(1, 2, 3), List.of(
        node("Einsum", List.of("X", "X"), "Y", OnnxGraphs.stringAttr("equation", "ij,jk->ik"))), List.of()),
        "(Einsum, opset 17)", "operand 0 has rank 3", "'ij,jk->ik'");
  }

  @Test
  void layerNormalizationWithAnotherStashType() {
    assertRefused(one("ln stash", "LayerNormalization", 17, dims(1, 2, 4), List.of(floats("s", dims(4))),
        i("stash_type", 0)), "(LayerNormalization, opset 17)", "stash_type 0");
  }

  @Test
  void splitSizesThatDoNotCoverTheAxis() {
    assertRefused(new ConverterTest.Case("split bad", Set.of("Split"), 13, dims(1, 6), List.of(
        OnnxMl.NodeProto.newBuilder().setOpType("Split").setName("split").addInput("X").addInput("sizes")
            .addOutput("Y").addOutput("Z").addAttribute(i("axis", 1)).build()), List.of(longs("sizes", 2, 3))),
        "(Split, opset 13)", "do not cover the axis of size 6");
  }
}
