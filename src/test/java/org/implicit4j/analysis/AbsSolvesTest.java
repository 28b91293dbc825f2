package org.implicit4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.implicit4j.TestModels;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/** The |A| solves against a dense LU solve of (I − U/ρ)x = v (EJML), an independent algorithm. */
class AbsSolvesTest {
  /** Non-negative 3-block U; strictly upper triangular by blocks, or with a lower block too. */
  private static BlockMatrix u(Random r, boolean triangular) {
    int[] sizes = {3, 4, 2};
    List<BlockMatrix.Block> blocks = new java.util.ArrayList<>(List.of(
        new BlockMatrix.Block(0, 1, abs(r, 3, 4)), new BlockMatrix.Block(0, 2, abs(r, 3, 2)),
        new BlockMatrix.Block(1, 2, abs(r, 4, 2))));
    if (!triangular) {
      blocks.add(new BlockMatrix.Block(2, 0, abs(r, 2, 3)));
      blocks.add(new BlockMatrix.Block(1, 1, abs(r, 4, 4)));
    }
    return new BlockMatrix(sizes, sizes, blocks);
  }

  private static DenseMatrix abs(Random r, int rows, int cols) {
    double[] v = TestModels.randn(r, rows * cols, 0.3);
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]);
    }
    return new DenseMatrix(rows, cols, v);
  }

  /** Column s of the result: (I − U/ρ)⁻¹ v_s (or with Uᵀ) by LU. */
  private static double[] dense(BlockMatrix u, double rho, double[] v, boolean transposed) {
    int n = u.rows();
    DMatrixRMaj m = new DMatrixRMaj(n, n);
    for (int j = 0; j < n; j++) {
      double[] e = new double[n];
      e[j] = 1;
      double[] col = u.apply(e);
      for (int i = 0; i < n; i++) {
        double uij = col[i] / rho;
        m.set(transposed ? j : i, transposed ? i : j, (i == j ? 1 : 0) - uij);
      }
    }
    DMatrixRMaj x = new DMatrixRMaj(n, 1);
    assertTrue(CommonOps_DDRM.solve(m, new DMatrixRMaj(n, 1, true, v), x));
    return x.data;
  }

  private static void check(BlockMatrix u, double rho, boolean transposed) {
    Random r = new Random(3);
    int n = u.rows();
    int batch = 3;
    double[] v = TestModels.randn(r, batch * n, 1);
    double[] got = transposed ? AbsSolves.solveTransposed(u, rho, v, batch) : AbsSolves.solve(u, rho, v, batch);
    for (int s = 0; s < batch; s++) {
      double[] want = dense(u, rho, java.util.Arrays.copyOfRange(v, s * n, (s + 1) * n), transposed);
      for (int i = 0; i < n; i++) {
        assertEquals(want[i], got[s * n + i], 1e-10 * Math.max(1, Math.abs(want[i])), "sample " + s + " entry " + i);
      }
    }
  }

  @Test
  void triangularSolvesAreBlockSubstitutions() {
    BlockMatrix u = u(new Random(1), true);
    assertTrue(u.isStrictlyBlockUpperTriangular());
    check(u, 0.5, false);
    check(u, 0.5, true);
  }

  @Test
  void otherMatricesIterateToTheSameSolution() {
    BlockMatrix u = u(new Random(2), false);
    double rho = 1.5 * PerronRoot.of(u).value();
    check(u, rho, false);
    check(u, rho, true);
  }

  @Test
  void refusesRhoBelowThePerronRoot() {
    BlockMatrix u = u(new Random(2), false);
    double rho = 0.9 * PerronRoot.of(u).value();
    AnalysisException e = assertThrows(AnalysisException.class, () -> AbsSolves.solve(u, rho, Vectors.ones(9), 1));
    assertTrue(e.getMessage().contains("did not converge"), e.getMessage());
  }

  @Test
  void logScaledOnesMatchThePlainSolve() {
    BlockMatrix u = u(new Random(4), true);
    double[] plain = AbsSolves.solve(u, 0.7, Vectors.ones(9), 1);
    AbsSolves.LogScaled w = AbsSolves.onesLogScaled(u, 0.7, new boolean[3]);
    for (int b = 0, i = 0; b < 3; b++) {
      for (double mant : w.mantissa()[b]) {
        assertEquals(plain[i++], Math.exp(w.logScale()[b]) * mant, 1e-12 * plain[i - 1]);
      }
    }
  }
}
