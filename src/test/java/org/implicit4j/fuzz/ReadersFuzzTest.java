package org.implicit4j.fuzz;

import ai.onnx.proto.OnnxMl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.io.Csv;
import org.implicit4j.io.Datasets;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.io.Npy;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;

/**
 * Fuzz targets for every reader of outside bytes: ONNX import, model files, CSV / labelled data /
 * .npy. Each run in regression mode over its committed inputs (src/test/resources/…/ReadersFuzzTestInputs/)
 * in every build; `JAZZER_FUZZ=1 mvn test -Dtest=ReadersFuzzTest#… ` runs a campaign (README).
 */
class ReadersFuzzTest {
  /** Imports stay within a small budget of states and values, so a fuzzer's declared sizes are refused early. */
  private static final ImportOptions SMALL = ImportOptions.defaults().withMaxStates(1 << 16);

  @FuzzTest(maxDuration = "10m")
  void onnxImport(byte[] data) {
    OnnxMl.ModelProto proto;
    try {
      proto = OnnxMl.ModelProto.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return; // not protobuf at all: the reader's parse step refuses it (tested elsewhere)
    }
    FuzzContract.check(() -> OnnxImporter.importModel(proto, "fuzz.onnx", null, SMALL));
  }

  @FuzzTest(maxDuration = "10m")
  void modelFile(byte[] data) throws Exception {
    Path f = Files.createTempFile("fuzz", ".i4j");
    try {
      Files.write(f, data);
      FuzzContract.check(() -> ModelFiles.load(f));
    } finally {
      Files.delete(f);
    }
  }

  @FuzzTest(maxDuration = "10m")
  void csvAndNpy(byte[] data) throws Exception {
    Path f = Files.createTempFile("fuzz", ".csv");
    try {
      Files.write(f, data);
      FuzzContract.check(() -> Csv.read(f, 3));
      FuzzContract.check(() -> Datasets.csv(f, Datasets.ANY_WIDTH));
      FuzzContract.check(() -> Npy.read(new java.io.ByteArrayInputStream(data), "fuzz.npy", 1 << 20));
    } finally {
      Files.delete(f);
    }
  }
}
