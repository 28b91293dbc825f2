package org.implicit4j.verify;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import org.implicit4j.Implicit4jException;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportResult;
import org.implicit4j.onnx.Tensor;
import org.implicit4j.report.LayerComparison;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.solve.Predictions;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;

/**
 * Runs the ONNX network in ONNX Runtime (CPU, same JVM) and the implicit model on the same inputs
 * and compares the outputs. Tensors that ŷ reproduces but the graph does not output (the logits
 * under a dropped Softmax) are added as graph outputs first.
 */
public final class OrtVerifier implements AutoCloseable {
  /** ONNX Runtime failed to load or run the model. */
  public static final class RuntimeFailure extends Implicit4jException {
    RuntimeFailure(String message, Throwable cause) {
      super(Category.BAD_INPUT, message, cause);
    }
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ImportResult imported;
  private final String source;

  public OrtVerifier(OnnxMl.ModelProto proto, ImportResult imported, String source) {
    this(proto, imported, source, false);
  }

  /**
   * @param perLayer also fetch every ONNX tensor a state block reproduces, for {@link #perLayer}
   */
  public OrtVerifier(OnnxMl.ModelProto proto, ImportResult imported, String source, boolean perLayer) {
    this.imported = imported;
    this.source = source;
    OrtNative.prepare();
    try {
      env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions so = new OrtSession.SessionOptions();
      so.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
      List<String> wanted = new ArrayList<>(imported.outputs());
      if (perLayer) {
        imported.stateTensors().values().stream().filter(t -> !wanted.contains(t)).forEach(wanted::add);
      }
      session = env.createSession(withBoundInitializers(withOutputs(proto, wanted),
          imported.boundInputs()).toByteArray(), so);
    } catch (OrtException e) {
      throw new RuntimeFailure(source + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  private static OnnxMl.ModelProto withOutputs(OnnxMl.ModelProto proto, List<String> wanted) {
    OnnxMl.GraphProto g = proto.getGraph();
    List<String> have = new ArrayList<>();
    g.getOutputList().forEach(o -> have.add(o.getName()));
    OnnxMl.GraphProto.Builder gb = g.toBuilder();
    boolean changed = false;
    for (String w : wanted) {
      if (!have.contains(w)) {
        gb.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(w));
        changed = true;
      }
    }
    return changed ? proto.toBuilder().setGraph(gb).build() : proto;
  }

  /** Bound inputs become initializers (with the input's element type), so ORT needs no feed for them. */
  private static OnnxMl.ModelProto withBoundInitializers(OnnxMl.ModelProto proto, Map<String, Tensor> bound) {
    if (bound.isEmpty()) {
      return proto;
    }
    OnnxMl.GraphProto.Builder gb = proto.getGraph().toBuilder();
    for (OnnxMl.ValueInfoProto vi : proto.getGraph().getInputList()) {
      Tensor t = bound.get(vi.getName());
      if (t == null) {
        continue;
      }
      int type = vi.getType().getTensorType().getElemType();
      OnnxMl.TensorProto.Builder tb = OnnxMl.TensorProto.newBuilder().setName(vi.getName()).setDataType(type);
      for (int d : t.shape()) {
        tb.addDims(d);
      }
      for (double v : t.data()) {
        switch (type) {
          case 1 -> tb.addFloatData((float) v);
          case 11 -> tb.addDoubleData(v);
          case 7 -> tb.addInt64Data((long) v);
          default -> tb.addInt32Data((int) v);
        }
      }
      gb.addInitializer(tb);
    }
    return proto.toBuilder().setGraph(gb).build();
  }

  /** Seeded inputs uniform in [0, 1), one row per sample, sized to the model input. */
  public static double[][] randomInputs(ImplicitModel m, int samples, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[samples][m.p()];
    for (double[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) r.nextDouble(); // float32-exact, as ORT will see it
      }
    }
    return x;
  }

  /** ONNX Runtime's outputs (concatenated, flattened) for one input row. */
  public double[] runReference(double[] u) {
    return concat(runTensors(u, imported.outputs()), imported.outputs());
  }

  private static double[] concat(Map<String, double[]> values, List<String> names) {
    int n = 0;
    for (String name : names) {
      n += values.get(name).length;
    }
    double[] r = new double[n];
    int off = 0;
    for (String name : names) {
      double[] v = values.get(name);
      System.arraycopy(v, 0, r, off, v.length);
      off += v.length;
    }
    return r;
  }

  /** The named tensors' values (flattened) for one input row. */
  private Map<String, double[]> runTensors(double[] u, java.util.Collection<String> names) {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      int off = 0;
      for (ImportResult.GraphInput in : imported.inputs()) {
        int size = Tensor.sizeOf(in.shape());
        long[] shape = new long[in.shape().length];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.shape()[d];
        }
        if (in.elementType() == 11) {
          double[] v = new double[size];
          System.arraycopy(u, off, v, 0, size);
          feed.put(in.name(), OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape));
        } else {
          float[] v = new float[size];
          for (int i = 0; i < size; i++) {
            v[i] = (float) u[off + i];
          }
          feed.put(in.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
        }
        off += size;
      }
      Map<String, double[]> values = new HashMap<>();
      try (OrtSession.Result res = session.run(feed, new java.util.LinkedHashSet<>(names))) {
        for (String name : names) {
          OnnxValue v = res.get(name).orElseThrow();
          List<Double> out = new ArrayList<>();
          appendFlat(((OnnxTensor) v), out);
          values.put(name, out.stream().mapToDouble(Double::doubleValue).toArray());
        }
      }
      return values;
    } catch (OrtException e) {
      throw new RuntimeFailure(source + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static void appendFlat(OnnxTensor t, List<Double> out) {
    switch (t.getInfo().type) {
      case FLOAT, FLOAT16, BFLOAT16 -> { // half precisions widened: compared as floats
        FloatBuffer f = t.getFloatBuffer();
        while (f.hasRemaining()) {
          out.add((double) f.get());
        }
      }
      case DOUBLE -> {
        DoubleBuffer d = t.getDoubleBuffer();
        while (d.hasRemaining()) {
          out.add(d.get());
        }
      }
      case INT64 -> {
        LongBuffer l = t.getLongBuffer();
        while (l.hasRemaining()) {
          out.add((double) l.get());
        }
      }
      default -> throw new IllegalStateException("unsupported ONNX Runtime output type " + t.getInfo());
    }
  }

  /**
   * Compares on the given input rows.
   *
   * @param progress called after each reference sample (for progress bars); may be null
   */
  public VerificationReport verify(double[][] inputs, double atol, double rtol, IntConsumer progress) {
    ImplicitModel m = imported.model();
    Agreement agreement = new Agreement(atol, rtol);
    org.implicit4j.report.SolveReport worst = null;
    // Solved in chunks, so that memory stays bounded and progress moves while the implicit model solves.
    for (int from = 0; from < inputs.length; from += CHUNK) {
      double[][] part = java.util.Arrays.copyOfRange(inputs, from, Math.min(inputs.length, from + CHUNK));
      Predictions sol = Solvers.predict(m, org.implicit4j.io.Csv.flatten(part), part.length);
      for (int s = 0; s < part.length; s++) {
        agreement.add(sol.output(s), runReference(part[s]));
        if (progress != null) {
          progress.accept(from + s + 1);
        }
      }
      org.implicit4j.report.SolveReport r = sol.report();
      worst = worst == null || !r.converged() || r.relResidual() > worst.relResidual() ? r : worst;
    }
    return agreement.report(worst == null ? "" : new org.implicit4j.report.SolveReport(worst.method(),
        worst.iterations(), worst.absResidual(), worst.relResidual(), worst.converged(), inputs.length).toString());
  }

  /** Samples solved together by {@link #verify}. */
  static final int CHUNK = 256;


  /**
   * Compares every state block that reproduces an ONNX tensor, in forward (first layer first)
   * order; the first entry with {@code matched == false} is where the conversion diverges.
   */
  public List<LayerComparison> perLayer(double[][] inputs, double atol, double rtol) {
    ImplicitModel m = imported.model();
    int n = inputs.length;
    Solution sol = Solvers.solve(m, org.implicit4j.io.Csv.flatten(inputs), n);
    List<Integer> blocks = new ArrayList<>(imported.stateTensors().keySet());
    blocks.sort(java.util.Comparator.reverseOrder());
    double[] maxAbs = new double[m.states().size()];
    double[] maxRel = new double[m.states().size()];
    boolean[] bad = new boolean[m.states().size()];
    for (int s = 0; s < n; s++) {
      Map<String, double[]> ref = runTensors(inputs[s], new java.util.LinkedHashSet<>(imported.stateTensors().values()));
      double[] x = sol.state(s);
      for (int b : blocks) {
        double[] r = ref.get(imported.stateTensors().get(b));
        var blk = m.states().get(b);
        for (int i = 0; i < blk.size(); i++) {
          double d = Math.abs(x[blk.offset() + i] - r[i]);
          maxAbs[b] = Math.max(maxAbs[b], d);
          if (r[i] != 0) {
            maxRel[b] = Math.max(maxRel[b], d / Math.abs(r[i]));
          }
          bad[b] |= !(d <= atol + rtol * Math.abs(r[i]));
        }
      }
    }
    List<LayerComparison> out = new ArrayList<>();
    for (int b : blocks) {
      var blk = m.states().get(b);
      out.add(new LayerComparison(b, blk.name(), imported.stateTensors().get(b), blk.size(), maxAbs[b], maxRel[b], !bad[b]));
    }
    return out;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // closing a session that ran cannot fail in a way the caller could act on
    }
  }
}
