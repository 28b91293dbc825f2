package org.implicit4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.implicit4j.OnnxGraphs;
import org.implicit4j.cli.CliTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each refused input: the message names the culprit, and `import` leaves no output file. */
class ImportRefusalTest {
  @TempDir Path dir;

  static OnnxMl.ValueInfoProto input(String name, Object... dims) {
    return OnnxGraphs.floatInfo(name, dims);
  }

  static OnnxMl.NodeProto node(String name, String op, List<String> in, List<String> out) {
    return OnnxMl.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out).build();
  }

  static OnnxMl.TensorProto weight(String name, float[] v, long... dims) {
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1);
    for (long d : dims) {
      t.addDims(d);
    }
    for (float f : v) {
      t.addFloatData(f);
    }
    return t.build();
  }

  static OnnxMl.ModelProto model(int opset, OnnxMl.GraphProto.Builder g) {
    return OnnxMl.ModelProto.newBuilder().setIrVersion(7)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
  }

  /** A Gemm(x, W) → op → y graph. */
  static OnnxMl.GraphProto.Builder gemmThen(String op, OnnxMl.TensorProto w) {
    return OnnxMl.GraphProto.newBuilder().setName("g").addInput(input("x", "N", 2)).addInitializer(w)
        .addNode(node("fc", "Gemm", List.of("x", "W"), List.of("h")))
        .addNode(node("act", op, List.of("h"), List.of("y"))).addOutput(input("y", "N", 2));
  }

  private Path write(String name, OnnxMl.ModelProto m) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, m.toByteArray());
    return f;
  }

  /** Asserts import exits 2 naming all of {@code expect}, and that no output (nor temp file) is left. */
  private void assertRefused(Path onnx, String... expect) throws Exception {
    Path out = dir.resolve("out.i4j");
    CliTest.Run r = CliTest.run("import", onnx.toString(), "-o", out.toString(), "--quiet");
    assertEquals(2, r.code(), r.err());
    for (String e : expect) {
      assertTrue(r.err().contains(e), "missing '" + e + "' in: " + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace without --debug");
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("out.i4j")), "output left behind");
    }
  }

  private static final float[] W = {1, 2, 3, 4};

  @Test
  void unsupportedOpNamesNodeOpOpsetAndSupportedList() throws Exception {
    Path f = write("hardmax.onnx", model(13, gemmThen("Hardmax", weight("W", W, 2, 2))));
    assertRefused(f, "hardmax.onnx", "node 'act' (Hardmax, opset 13)", "op Hardmax is not supported", "Conv", "MaxPool",
        "LSTM", "file an issue");
    Path sin = write("sin.onnx", model(13, gemmThen("Sin", weight("W", W, 2, 2))));
    assertRefused(sin, "sin.onnx", "node 'act' (Sin, opset 13)", "depends on the model input", "periodic");
  }

  @Test
  void opsetOutsideTheConverterRangeIsRefused() throws Exception {
    Path f = write("new.onnx", model(23, gemmThen("Relu", weight("W", W, 2, 2))));
    assertRefused(f, "node 'fc' (Gemm, opset 23)", "opset 23 is outside the range 7\u201321");
  }

  @Test
  void cycleIsRefusedNamingItsNodes() throws Exception {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addInput(input("x", 1, 2))
        .addNode(node("a", "Add", List.of("x", "c"), List.of("b")))
        .addNode(node("b", "Relu", List.of("b"), List.of("c")))
        .addOutput(input("c", 1, 2));
    assertRefused(write("cycle.onnx", model(13, g)), "cycle", "'a' (Add)", "'b' (Relu)");
  }

  @Test
  void missingInitializerIsNamed() throws Exception {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addInput(input("x", 1, 2))
        .addNode(node("fc", "Gemm", List.of("x", "W_missing"), List.of("y"))).addOutput(input("y", 1, 2));
    assertRefused(write("missing.onnx", model(13, g)), "tensor 'W_missing' is missing");
  }

  @Test
  void nanWeightIsRefused() throws Exception {
    Path f = write("nan.onnx", model(13, gemmThen("Relu", weight("W", new float[] {1, Float.NaN, 3, 4}, 2, 2))));
    assertRefused(f, "initializer 'W'", "NaN", "element 1");
  }

  @Test
  void hugeDeclaredSizeIsRefusedBeforeAllocating() throws Exception {
    OnnxMl.TensorProto huge = OnnxMl.TensorProto.newBuilder().setName("W").setDataType(1).addDims(1_000_000)
        .addDims(1_000_000).build();
    assertRefused(write("huge.onnx", model(13, gemmThen("Relu", huge))), "initializer 'W'", "refusing to allocate");
  }

  @Test
  void externalDataOutsideTheModelFolderIsRefused() throws Exception {
    Files.write(dir.getParent().resolve("weights.bin"), new byte[16]);
    OnnxMl.TensorProto ext = OnnxMl.TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(2)
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("../weights.bin"))
        .build();
    assertRefused(write("ext.onnx", model(13, gemmThen("Relu", ext))), "'../weights.bin'", "leaves the model's folder");
    OnnxMl.TensorProto abs = ext.toBuilder().setExternalData(0, OnnxMl.StringStringEntryProto.newBuilder()
        .setKey("location").setValue(dir.getParent().resolve("weights.bin").toString())).build();
    assertRefused(write("abs.onnx", model(13, gemmThen("Relu", abs))), "leaves the model's folder");
  }

  @Test
  void externalDataInsideTheFolderIsRead() throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : W) {
      b.putFloat(v);
    }
    Files.write(dir.resolve("w.bin"), b.array());
    OnnxMl.TensorProto ext = OnnxMl.TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(2)
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")).build();
    ImportResult r = OnnxImporter.importFile(write("ok.onnx", model(13, gemmThen("Relu", ext))), ImportOptions.defaults());
    assertEquals(2, r.model().n());
    double[] y = org.implicit4j.solve.Solvers.solve(r.model(), new double[] {1, -1}, 1).output(0);
    assertEquals(0.0, y[0], 0); // relu(1·1 + 3·(−1)) = relu(−2)
    assertEquals(0.0, y[1], 0); // relu(2 − 4)
  }

  @Test
  void symbolicNonBatchDimensionNeedsInputShape() throws Exception {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addInput(input("img", "N", "H"))
        .addNode(node("r", "Relu", List.of("img"), List.of("y"))).addOutput(input("y", "N", "H"));
    Path f = write("sym.onnx", model(13, g));
    assertRefused(f, "input 'img'", "'H'", "--input-shape");
    CliTest.Run ok = CliTest.run("info", f.toString(), "--input-shape", "img=5", "--json");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("\"n\":5"), ok.out());
  }

  @Test
  void inputDependentExponentIsRefusedAtTheNode() {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addInput(input("x", 1, 2))
        .addNode(node("pw", "Pow", List.of("x", "x"), List.of("y"))).addOutput(input("y", 1, 2));
    ImportException e = assertThrows(ImportException.class,
        () -> OnnxImporter.importModel(model(13, g).toBuilder().build(), "pw.onnx", dir, ImportOptions.defaults()));
    assertTrue(e.getMessage().contains("node 'pw' (Pow, opset 13)") && e.getMessage().contains("exponent"),
        e.getMessage());
  }

  /** A clipped LSTM cell is not what the unrolled model computes: refused, naming the node and the attribute. */
  @Test
  void clippedLstmIsRefusedAtTheNode() {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addInput(input("x", 1, 1, 2))
        .addInitializer(weight("W", new float[16], 1, 8, 2)).addInitializer(weight("R", new float[32], 1, 8, 4))
        .addNode(node("cell", "LSTM", List.of("x", "W", "R"), List.of("y")).toBuilder()
            .addAttribute(OnnxGraphs.intAttr("hidden_size", 2)).addAttribute(OnnxGraphs.floatAttr("clip", 3f)))
        .addOutput(input("y", 1, 1, 1, 2));
    ImportException e = assertThrows(ImportException.class,
        () -> OnnxImporter.importModel(model(14, g), "lstm.onnx", dir, ImportOptions.defaults()));
    assertTrue(e.getMessage().contains("node 'cell' (LSTM, opset 14)") && e.getMessage().contains("clip"),
        e.getMessage());
  }

  @Test
  void tooManyStatesIsRefusedBeforeTheyAreAllocated() {
    ImportException e = assertThrows(ImportException.class, () -> OnnxImporter.importFile(Path.of("samples", "mnist8.onnx"),
        ImportOptions.defaults().withMaxStates(1000)));
    assertTrue(e.getMessage().contains("more than 1000 states") && e.getMessage().contains("too large"), e.getMessage());
  }

  /** Inputs that are not real-valued tensors, and dimensions beyond 2³¹, are refused at import naming the input. */
  @Test
  void nonRealAndHugeInputsAreRefusedByName() throws Exception {
    OnnxMl.GraphProto.Builder g = gemmThen("Relu", weight("W", W, 2, 2));
    g.setInput(0, g.getInput(0).toBuilder().setType(g.getInput(0).getType().toBuilder().setTensorType(
        g.getInput(0).getType().getTensorType().toBuilder().setElemType(2))));
    assertRefused(write("uint8.onnx", model(13, g)), "graph input 'x' holds UINT8 values", "real-valued");
    OnnxMl.GraphProto.Builder big = gemmThen("Relu", weight("W", W, 2, 2));
    big.setInput(0, input("x", "N", 2).toBuilder().setType(input("x", "N", 2).getType().toBuilder().setTensorType(
        input("x", "N", 2).getType().getTensorType().toBuilder().setShape(OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(1_000_000_000_000L))))).build());
    assertRefused(write("huge.onnx", model(13, big)), "input 'x' declares dimension 1000000000000");
  }

  /** External-data fields are validated before use: numbers, NUL in the location, offset + length overflow. */
  @Test
  void badExternalDataFieldsAreRefusedByName() throws Exception {
    Files.write(dir.resolve("w.bin"), new byte[16]);
    String[][] cases = {{"offset", "1e3", "offset '1e3' is not a non-negative integer"},
        {"length", " 4", "length ' 4' is not a non-negative integer"},
        {"location", "w\u0000.bin", "is not a valid path"},
        {"offset", "9223372036854775800", "does not fit the file"}};
    for (String[] c : cases) {
      OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(2)
          .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
      if (!c[0].equals("location")) {
        t.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"));
      }
      t.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey(c[0]).setValue(c[1]));
      assertRefused(write("ext.onnx", model(13, gemmThen("Relu", t.build()))), c[2]);
    }
  }
}
