package org.implicit4j.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.implicit4j.analysis.Rescaler;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Import and rescale time of ONNX networks (single shot per iteration). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class ImportBench {
  @Param({"src/test/resources/fixtures/resnet20-cifar.onnx"})
  public String onnx;

  private ImplicitModel imported;

  @org.openjdk.jmh.annotations.Setup
  public void setup() throws Exception {
    imported = OnnxImporter.importFile(Path.of(onnx), ImportOptions.defaults()).model();
  }

  @Benchmark
  public ImplicitModel importOnnx() throws Exception {
    return OnnxImporter.importFile(Path.of(onnx), ImportOptions.defaults()).model();
  }

  /** Perron–Frobenius rescaling to κ = 0.95 (issue target for ResNet-20: under 2 s). */
  @Benchmark
  public ImplicitModel rescale() {
    return Rescaler.rescale(imported, 0.95).model();
  }
}
