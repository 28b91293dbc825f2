package org.implicit4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.solve.BackSubstitution;
import org.implicit4j.solve.SolverOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ResNet-20 for CIFAR (n = 188,416 states): batched exact back-substitution of the imported implicit
 * model against ONNX Runtime (CPU, intra-op threads = cores) on the same network and inputs, and
 * the import itself. Time is per batch; divide by the batch for per-input figures. The heap held by
 * the imported model is printed at setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-Dimplicit4j.openblas.coretype=cpu"})
public class ResNet20Bench {
  @Param({"src/test/resources/fixtures/resnet20-cifar.onnx"})
  public String onnx;

  @Param({"1", "64"})
  public int batch;

  private ImplicitModel model;
  private BackSubstitution solver;
  private double[] inputs;
  private OrtEnvironment env;
  private OrtSession session;
  private OnnxTensor ortInput;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    System.gc();
    long before = usedHeap();
    model = OnnxImporter.importFile(Path.of(onnx), ImportOptions.defaults()).model();
    System.gc();
    System.out.printf("%nimported model heap: %.1f MB (n = %d)%n", (usedHeap() - before) / 1e6, model.n());
    solver = new BackSubstitution(SolverOptions.defaults().withMeasureResidual(false));
    Random r = new Random(1);
    inputs = new double[batch * model.p()];
    float[] f = new float[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      f[i] = r.nextFloat();
      inputs[i] = f[i];
    }
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
    session = env.createSession(onnx, so);
    ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), new long[] {batch, 3, 32, 32});
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    ortInput.close();
    session.close();
  }

  @Benchmark
  public double[] implicit4jBackSubstitution() {
    return solver.predict(model, inputs, batch).outputs();
  }

  @Benchmark
  public float onnxRuntime() throws Exception {
    try (OrtSession.Result res = session.run(Map.of("input", ortInput))) {
      return ((OnnxTensor) res.get(0)).getFloatBuffer().get(0);
    }
  }
}
