package org.implicit4j.onnx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.model.Activation;

/**
 * Lowering state: the value of every tensor seen so far and the state blocks created, in creation
 * (forward) order. Only nonlinear activation outputs become states; everything linear stays inside
 * the affine values.
 */
public final class LowerContext {
  /** One state block in creation order: x_k = φ(preactivation). {@code tensor} is the ONNX tensor it equals, if any. */
  public record PendingState(String name, int[] shape, Activation activation, Affine preactivation, String tensor) {}

  private final String source;
  private final Path modelDir;
  private final Map<String, Affine> values = new HashMap<>();
  private final List<PendingState> states = new ArrayList<>();
  private final long maxStates;
  private long stateCount;

  LowerContext(String source, Path modelDir, long maxStates) {
    this.source = source;
    this.modelDir = modelDir;
    this.maxStates = maxStates;
  }

  /** The file being imported, for error messages. */
  public String source() { return source; }

  Path modelDir() { return modelDir; }

  void bind(String tensor, Affine v) {
    values.put(tensor, v);
  }

  boolean has(String tensor) {
    return values.containsKey(tensor);
  }

  Affine value(String tensor, OnnxNodeView user) {
    Affine v = values.get(tensor);
    if (v == null) {
      throw user.error("input tensor '" + tensor + "' is missing: no initializer, graph input or node produces it");
    }
    return v;
  }

  List<PendingState> states() { return states; }

  /**
   * Refuses, before any work, a lowering that will need {@code count} more states than the budget
   * allows (e.g. a max-pool tree over a huge window).
   */
  public void reserveStates(long count, String name) {
    if (stateCount + count > maxStates) {
      throw new ImportException(source + ": '" + name + "' needs " + count + " states, more than the " + maxStates
          + " allowed; the network is too large to hold");
    }
  }

  /**
   * Creates the state block x = φ(preactivation) and returns its value (the state itself).
   *
   * @param tensor the ONNX tensor this block reproduces exactly, or null for internal blocks
   */
  public Affine newState(String name, Affine preactivation, Activation activation, String tensor) {
    stateCount += preactivation.size();
    if (stateCount > maxStates) {
      throw new ImportException(source + ": more than " + maxStates + " states at '" + name
          + "'; the network is too large to hold");
    }
    states.add(new PendingState(name, preactivation.shape(), activation, preactivation, tensor));
    int k = states.size() - 1;
    return new Affine(preactivation.shape(), Map.of(k, DiagonalMatrix.identity(preactivation.size())),
        new double[preactivation.size()], false);
  }
}
