package org.implicit4j.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.implicit4j.linalg.NativeBlas;
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
 * One batch of predictions, implicit4j (exact back-substitution, double precision) against ONNX
 * Runtime (CPU, intra-op threads = cores, float32) on the same network and inputs in the same JVM.
 * Scores are per batch; {@link BenchSummary} divides by the batch. ORT gets the whole batch in one
 * call when the graph allows a symbolic batch dimension, else one call per sample (noted).
 * {@code nativeBlas} runs implicit4j's dense and convolution products through OpenBLAS or through
 * the pure-Java kernels (each parameter set runs in its own forked JVM, where the choice is made once).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx6g", "-Dimplicit4j.openblas.coretype=cpu"})
public class NetworkBench {
  @Param({"mnistfc-256x2", "mnist8-zoo", "oval21-cifar-base-kw", "cifar10-resnet2b", "resnet20-cifar"})
  public String network;

  @Param({"1", "256"})
  public int batch;

  @Param({"true", "false"})
  public boolean nativeBlas;

  ImplicitModel model;
  private ImplicitModel model32;
  private BackSubstitution solver;
  private double[] inputs;
  /** The same inputs as the floats ORT's tensor holds. */
  private float[] floats;
  private OrtEnvironment env;
  private OrtSession session;
  private OnnxTensor whole;
  private OnnxTensor[] single;
  private String inputName;
  /** Whether ORT runs the batch in one call. */
  boolean ortBatched;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    System.setProperty("implicit4j.native", Boolean.toString(nativeBlas));
    if (NativeBlas.available() != nativeBlas) {
      throw new IllegalStateException("nativeBlas=" + nativeBlas + " but OpenBLAS " + (NativeBlas.available()
          ? "was already loaded" : "cannot load on this machine"));
    }
    System.out.println("OpenBLAS kernels: " + NativeBlas.kernels());
    OnnxMl.ModelProto proto = OnnxImporter.read(Networks.path(network));
    model = OnnxImporter.importModel(proto, network, Networks.path(network).getParent(), ImportOptions.defaults()).model();
    model32 = model.withFloat32Kernels();
    solver = new BackSubstitution(SolverOptions.defaults().withMeasureResidual(false));
    Random r = new Random(1);
    float[] f = new float[batch * model.p()];
    floats = f;
    inputs = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = r.nextFloat();
      inputs[i] = f[i];
    }
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
    long[] shape = null;
    try {
      session = env.createSession(Networks.batchable(proto).toByteArray(), so);
      inputName = session.getInputNames().iterator().next();
      shape = ((TensorInfo) session.getInputInfo().get(inputName).getInfo()).getShape();
      shape[0] = batch;
      whole = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), shape);
      session.run(Map.of(inputName, whole)).close();
      ortBatched = true;
    } catch (Exception e) {
      // Graphs with a hard-coded batch (e.g. Reshape to [1, 256]) run one sample per call.
      if (whole != null) {
        whole.close();
        whole = null;
      }
      session = env.createSession(proto.toByteArray(), so);
      inputName = session.getInputNames().iterator().next();
      shape = ((TensorInfo) session.getInputInfo().get(inputName).getInfo()).getShape();
      shape[0] = 1;
      ortBatched = false;
    }
    single = new OnnxTensor[ortBatched ? 0 : batch];
    for (int s = 0; s < single.length; s++) {
      float[] one = new float[model.p()];
      System.arraycopy(f, s * model.p(), one, 0, model.p());
      single[s] = OnnxTensor.createTensor(env, FloatBuffer.wrap(one), shape);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (whole != null) {
      whole.close();
    }
    for (OnnxTensor t : single) {
      t.close();
    }
    session.close();
  }

  @Benchmark
  public double[] implicit4j() {
    return solver.predict(model, inputs, batch).outputs();
  }

  /** The float32 fast path (convolution and dense blocks in float, like ORT). */
  @Benchmark
  public double[] implicit4jFloat32() {
    return solver.predict(model32, inputs, batch).outputs();
  }

  /**
   * The float32 path given the floats ORT's tensor holds: its products read them in place, where
   * {@link #implicit4jFloat32} first rounds the double inputs to float. The same outputs, bit for bit.
   */
  @Benchmark
  public double[] implicit4jFloat32FloatInputs() {
    return solver.predict(model32, floats, batch).outputs();
  }

  @Benchmark
  public int onnxRuntime() throws Exception {
    if (ortBatched) {
      try (OrtSession.Result r = session.run(Map.of(inputName, whole))) {
        return r.size();
      }
    }
    int n = 0;
    for (OnnxTensor t : single) {
      try (OrtSession.Result r = session.run(Map.of(inputName, t))) {
        n += r.size();
      }
    }
    return n;
  }
}
