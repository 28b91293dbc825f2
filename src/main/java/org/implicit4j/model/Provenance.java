package org.implicit4j.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a model came from and what was done to it, kept with the model and in its file's manifest
 * ("metadata" object, keys as in {@link #toMap()}). Every field may be null (not applicable).
 *
 * @param source the file it was imported from (file name only)
 * @param onnxOpset the opset of the imported ONNX graph
 * @param onnxProducer "producer version" of the ONNX file
 * @param onnxInputs the ONNX graph inputs u is made of, in order
 * @param onnxOutputs the ONNX tensors ŷ reproduces, in order
 * @param softmaxDropped "Softmax"/"LogSoftmax" when a trailing one was left out of ŷ
 * @param composition the last composition that built it, e.g. "cascade", "feedback", "sum(1.0, 0.5)"
 * @param verification the summary of the verification against ONNX Runtime it passed
 * @param rescaled the summary of the rescale applied to it
 */
public record Provenance(String source, Integer onnxOpset, String onnxProducer, List<String> onnxInputs,
    List<String> onnxOutputs, String softmaxDropped, String composition, String verification, String rescaled) {

  public Provenance {
    onnxInputs = onnxInputs == null ? null : List.copyOf(onnxInputs);
    onnxOutputs = onnxOutputs == null ? null : List.copyOf(onnxOutputs);
  }

  /** Nothing known. */
  public static Provenance none() {
    return new Provenance(null, null, null, null, null, null, null, null, null);
  }

  /** A composition's provenance: what built it (the parts' provenance stays with the parts). */
  public static Provenance composed(String composition) {
    return none().withComposition(composition);
  }

  public Provenance withComposition(String c) {
    return new Provenance(source, onnxOpset, onnxProducer, onnxInputs, onnxOutputs, softmaxDropped, c, verification,
        rescaled);
  }

  public Provenance withVerification(String v) {
    return new Provenance(source, onnxOpset, onnxProducer, onnxInputs, onnxOutputs, softmaxDropped, composition, v,
        rescaled);
  }

  public Provenance withRescaled(String r) {
    return new Provenance(source, onnxOpset, onnxProducer, onnxInputs, onnxOutputs, softmaxDropped, composition,
        verification, r);
  }

  /** The fields that are set, under the manifest's keys, in a fixed order. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "composition", composition);
    put(m, "onnx.inputs", onnxInputs == null ? null : String.join(",", onnxInputs));
    put(m, "onnx.opset", onnxOpset == null ? null : onnxOpset.toString());
    put(m, "onnx.outputs", onnxOutputs == null ? null : String.join(",", onnxOutputs));
    put(m, "onnx.producer", onnxProducer);
    put(m, "rescaled", rescaled);
    put(m, "softmaxDropped", softmaxDropped);
    put(m, "source", source);
    put(m, "verification", verification);
    return m;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  /**
   * Reads the manifest's keys back; unknown keys are ignored (files from later versions stay
   * readable). {@code onnx.opset} must be an integer.
   *
   * @throws IllegalArgumentException naming the key when a value has the wrong form
   */
  public static Provenance fromMap(Map<String, String> m) {
    Integer opset = null;
    if (m.get("onnx.opset") != null) {
      try {
        opset = Integer.valueOf(m.get("onnx.opset").strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("metadata \"onnx.opset\" is '" + m.get("onnx.opset") + "', not an integer");
      }
    }
    List<String> inputs = m.get("onnx.inputs") == null ? null : List.of(m.get("onnx.inputs").split(",", -1));
    List<String> outputs = m.get("onnx.outputs") == null ? null : List.of(m.get("onnx.outputs").split(",", -1));
    return new Provenance(m.get("source"), opset, m.get("onnx.producer"), inputs, outputs, m.get("softmaxDropped"),
        m.get("composition"), m.get("verification"), m.get("rescaled"));
  }
}
