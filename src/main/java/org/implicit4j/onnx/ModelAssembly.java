package org.implicit4j.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Provenance;
import org.implicit4j.model.Shape;

/**
 * Builds the implicit model from the lowered states and outputs. States were created first layer
 * first; the model lists them last layer first, so state c becomes block k − 1 − c and A is strictly
 * upper triangular (docs/MATHS.md §1).
 */
final class ModelAssembly {
  private ModelAssembly() {}

  static ImplicitModel assemble(List<LowerContext.PendingState> st, List<ImportResult.GraphInput> inputs, int p,
      List<Affine> outValues, Provenance prov) {
    Shape inShape = inputs.size() == 1 ? OnnxImporter.perSample(inputs.get(0).shape()) : Shape.of(p);
    int q = outValues.stream().mapToInt(Affine::size).sum();
    Shape outShape = outValues.size() == 1 ? OnnxImporter.perSample(outValues.get(0).shape()) : Shape.of(q);
    ImplicitModel.Builder b = ImplicitModel.builder(inShape, outShape);
    int k = st.size();
    for (int r = 0; r < k; r++) {
      LowerContext.PendingState s = st.get(k - 1 - r);
      b.addState(s.name(), Shape.of(s.shape()), s.activation());
    }
    for (int c = 0; c < k; c++) {
      addStateRow(b, k - 1 - c, st.get(c).preactivation(), k);
    }
    addOutputs(b, outValues, q, k);
    b.provenance(prov);
    ImplicitModel model = b.build();
    if (!model.isStrictlyUpperTriangular()) {
      throw new IllegalStateException("internal: imported A is not strictly upper triangular");
    }
    return model;
  }

  /** Model state block → the ONNX tensor it equals, for per-layer verification. */
  static Map<Integer, String> stateTensors(List<LowerContext.PendingState> st) {
    Map<Integer, String> tensors = new LinkedHashMap<>();
    int k = st.size();
    for (int r = 0; r < k; r++) {
      String t = st.get(k - 1 - r).tensor();
      if (t != null) {
        tensors.put(r, t);
      }
    }
    return tensors;
  }

  /** Row {@code row} of A and B and its bias from the state's preactivation. */
  private static void addStateRow(ImplicitModel.Builder b, int row, Affine pre, int k) {
    pre.terms().forEach((src, op) -> {
      if (src == Affine.INPUT) {
        b.addB(row, op);
      } else {
        b.addA(row, k - 1 - src, op);
      }
    });
    b.addStateBias(row, pre.bias());
  }

  /** C, D and c: the outputs concatenated in order. */
  private static void addOutputs(ImplicitModel.Builder b, List<Affine> outValues, int q, int k) {
    int off = 0;
    for (Affine y : outValues) {
      int[] src = new int[q];
      Arrays.fill(src, -1);
      for (int i = 0; i < y.size(); i++) {
        src[off + i] = i;
      }
      LinearOperator embed = outValues.size() == 1 ? null : CsrMatrix.selection(src, y.size());
      y.terms().forEach((s, op) -> {
        LinearOperator full = embed == null ? op : Ops.compose(embed, op);
        if (s == Affine.INPUT) {
          b.addD(full);
        } else {
          b.addC(k - 1 - s, full);
        }
      });
      double[] bias = new double[q];
      System.arraycopy(y.bias(), 0, bias, off, y.size());
      b.addOutputBias(bias);
      off += y.size();
    }
  }

}
