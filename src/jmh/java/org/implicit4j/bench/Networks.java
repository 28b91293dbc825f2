package org.implicit4j.bench;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.linalg.ScaledOperator;
import org.implicit4j.linalg.SumOperator;
import org.implicit4j.model.ImplicitModel;

/** The benchmark networks (paths relative to the repository root) and their multiply-add counts. */
final class Networks {
  private Networks() {}

  static final Map<String, String> FILES = new LinkedHashMap<>();

  static {
    FILES.put("mnistfc-256x2", "../shared/models/vnn21-mnistfc-256x2/model.onnx");
    FILES.put("mnist8-zoo", "../shared/models/mnist8-zoo/model.onnx");
    FILES.put("oval21-cifar-base-kw", "../shared/models/vnn21-oval21-cifar-base-kw/model.onnx");
    FILES.put("cifar10-resnet2b", "../shared/models/vnn21-cifar10-resnet2b/model.onnx");
    FILES.put("resnet20-cifar", "src/test/resources/fixtures/resnet20-cifar.onnx");
  }

  static Path path(String name) {
    if (!FILES.containsKey(name)) {
      throw new IllegalArgumentException("no network " + name + "; the networks are " + FILES.keySet());
    }
    Path p = Path.of(FILES.get(name));
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " not found: run the benchmarks from the repository root, beside ../shared");
    }
    return p;
  }

  /** The ONNX model with its first input and output dimension made symbolic, so ORT takes any batch. */
  static OnnxMl.ModelProto batchable(OnnxMl.ModelProto m) {
    OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
    for (OnnxMl.ValueInfoProto.Builder v : g.getInputBuilderList()) {
      symbolic(v);
    }
    for (OnnxMl.ValueInfoProto.Builder v : g.getOutputBuilderList()) {
      symbolic(v);
    }
    return m.toBuilder().setGraph(g).build();
  }

  private static void symbolic(OnnxMl.ValueInfoProto.Builder v) {
    OnnxMl.TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
    if (s.getDimCount() > 0) {
      s.setDim(0, OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    }
  }

  /** Multiply-adds of one solve of one input: the stored work of every block of A, B, C, D. */
  static long macs(ImplicitModel m) {
    return macs(m.a()) + macs(m.b()) + macs(m.c()) + macs(m.d());
  }

  private static long macs(BlockMatrix b) {
    long s = 0;
    for (BlockMatrix.Block k : b.blocks()) {
      s += macs(k.op());
    }
    return s;
  }

  static long macs(LinearOperator op) {
    if (op instanceof Conv2d c) {
      return c.geometry().macs();
    }
    if (op instanceof ScaledOperator s) {
      return macs(s.inner());
    }
    if (op instanceof SumOperator s) {
      return s.terms().stream().mapToLong(Networks::macs).sum();
    }
    if (op instanceof ProductOperator p) {
      return p.factors().stream().mapToLong(Networks::macs).sum();
    }
    return op.nnz();
  }
}
