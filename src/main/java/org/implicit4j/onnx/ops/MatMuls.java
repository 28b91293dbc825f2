package org.implicit4j.onnx.ops;

import java.util.Arrays;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Shapes;
import org.implicit4j.onnx.Tensor;

/**
 * Matrix products with one constant factor as linear maps on the other, with numpy matmul
 * semantics (1-D operands promoted, leading dimensions broadcast).
 */
final class MatMuls {
  private MatMuls() {}

  /** Shapes promoted to rank ≥ 2 and the broadcast output shape (before dropping promoted dims). */
  record Plan(int[] a, int[] b, int[] lead, int m, int k, int n, int[] out) {}

  static Plan plan(OnnxNodeView node, int[] aShape, int[] bShape) {
    int[] a = aShape.length == 1 ? new int[] {1, aShape[0]} : aShape;
    int[] b = bShape.length == 1 ? new int[] {bShape[0], 1} : bShape;
    int m = a[a.length - 2];
    int k = a[a.length - 1];
    int n = b[b.length - 1];
    if (b[b.length - 2] != k) {
      throw node.error("inner dimensions differ: " + Shapes.str(aShape) + " \u00d7 " + Shapes.str(bShape));
    }
    int[] lead = Shapes.broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
    if (lead == null) {
      throw node.error("leading dimensions do not broadcast: " + Shapes.str(aShape) + " \u00d7 " + Shapes.str(bShape));
    }
    int[] out = new int[lead.length + (aShape.length == 1 ? 0 : 1) + (bShape.length == 1 ? 0 : 1)];
    System.arraycopy(lead, 0, out, 0, lead.length);
    int p = lead.length;
    if (aShape.length != 1) {
      out[p++] = m;
    }
    if (bShape.length != 1) {
      out[p] = n;
    }
    return new Plan(a, b, lead, m, k, n, out);
  }

  /** vec(A) ↦ vec(alpha · A · B) for constant B. */
  static LinearOperator rightConstant(Plan p, double[] b, double alpha) {
    int batch = Tensor.sizeOf(p.lead());
    if (p.b().length == 2 && batch * p.m() == 1) {
      double[] w = new double[p.n() * p.k()];
      for (int i = 0; i < p.n(); i++) {
        for (int j = 0; j < p.k(); j++) {
          w[i * p.k() + j] = alpha * b[j * p.n() + i];
        }
      }
      return new DenseMatrix(p.n(), p.k(), w);
    }
    return generic(p, b, alpha, true);
  }

  /** vec(B) ↦ vec(alpha · A · B) for constant A. */
  static LinearOperator leftConstant(Plan p, double[] a, double alpha) {
    return generic(p, a, alpha, false);
  }

  private static LinearOperator generic(Plan p, double[] c, double alpha, boolean constIsRight) {
    int[] lead = p.lead();
    int batch = Tensor.sizeOf(lead);
    int m = p.m();
    int k = p.k();
    int n = p.n();
    int[] aLead = Arrays.copyOf(p.a(), p.a().length - 2);
    int[] bLead = Arrays.copyOf(p.b(), p.b().length - 2);
    int[] aSrc = Shapes.broadcastSource(aLead, lead);
    int[] bSrc = Shapes.broadcastSource(bLead, lead);
    int rows = batch * m * n;
    long nnz = (long) rows * k;
    if (nnz > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("matmul map too large");
    }
    int[] ptr = new int[rows + 1];
    int[] idx = new int[(int) nnz];
    double[] val = new double[(int) nnz];
    int e = 0;
    int cols = constIsRight ? Tensor.sizeOf(p.a()) : Tensor.sizeOf(p.b());
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          int row = (t * m + i) * n + j;
          for (int q = 0; q < k; q++) {
            int ai = (aSrc[t] * m + i) * k + q;
            int bi = (bSrc[t] * k + q) * n + j;
            idx[e] = constIsRight ? ai : bi;
            val[e++] = alpha * (constIsRight ? c[bi] : c[ai]);
          }
          ptr[row + 1] = e;
        }
      }
    }
    // Rows are filled in order and a row's columns are distinct (one per q), so this is already CSR.
    return new CsrMatrix(rows, cols, ptr, idx, val);
  }

  /** Plain numeric product for two constants. */
  static double[] multiply(Plan p, double[] a, double[] b) {
    LinearOperator op = rightConstant(p, b, 1);
    return op.apply(a);
  }
}
