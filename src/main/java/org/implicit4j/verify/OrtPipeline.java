package org.implicit4j.verify;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.implicit4j.onnx.ImportException;

/**
 * ONNX files run one after the other in ONNX Runtime, each one's first output feeding the next
 * one's single input: the reference for a cascade of imported networks. Symbolic dimensions are 1.
 */
public final class OrtPipeline implements AutoCloseable {
  private final OrtEnvironment env;
  private final List<OrtSession> sessions = new ArrayList<>();
  private final List<long[]> shapes = new ArrayList<>();
  private final List<String> inputs = new ArrayList<>();

  public OrtPipeline(List<Path> files) {
    OrtNative.prepare();
    env = OrtEnvironment.getEnvironment();
    try {
      for (Path f : files) {
        OrtSession s = env.createSession(f.toString(), new OrtSession.SessionOptions());
        sessions.add(s);
        if (s.getInputNames().size() != 1) {
          throw new ImportException(f + ": a pipeline stage must have exactly one input, it has " + s.getInputNames());
        }
        String name = s.getInputNames().iterator().next();
        NodeInfo info = s.getInputInfo().get(name);
        long[] shape = ((TensorInfo) info.getInfo()).getShape().clone();
        for (int d = 0; d < shape.length; d++) {
          shape[d] = shape[d] < 0 ? 1 : shape[d];
        }
        inputs.add(name);
        shapes.add(shape);
      }
    } catch (OrtException e) {
      throw new OrtVerifier.RuntimeFailure("ONNX Runtime cannot load " + files + ": " + e.getMessage(), e);
    }
  }

  /** The last stage's first output, flattened, for input u. */
  public double[] run(double[] u) {
    float[] cur = new float[u.length];
    for (int i = 0; i < u.length; i++) {
      cur[i] = (float) u[i];
    }
    try {
      for (int k = 0; k < sessions.size(); k++) {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(cur), shapes.get(k));
            OrtSession.Result r = sessions.get(k).run(Map.of(inputs.get(k), in))) {
          FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
          cur = new float[b.remaining()];
          b.get(cur);
        }
      }
    } catch (OrtException e) {
      throw new OrtVerifier.RuntimeFailure("ONNX Runtime failed in the pipeline: " + e.getMessage(), e);
    }
    double[] out = new double[cur.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = cur[i];
    }
    return out;
  }

  @Override
  public void close() {
    for (OrtSession s : sessions) {
      try {
        s.close();
      } catch (OrtException e) {
        // nothing to recover from when closing
      }
    }
  }
}
