package org.implicit4j.train;

import java.util.ArrayList;
import java.util.List;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;

/**
 * Keeps ‖A‖∞ ≤ κ: each row of A (across the blocks of its block row) is projected onto the ℓ1 ball
 * of radius κ, minus what its fixed blocks already use (El Ghaoui et al. §6). Blocks whose entries
 * are not one value each (convolutions, lazy operators) cannot be projected row by row; a row that
 * has one is left to the remaining budget, and refused when there is none.
 */
final class RowProjection {
  private RowProjection() {}

  /** Projects every row of A in place; returns ‖A‖∞ afterwards. */
  static double apply(TrainableModel tm, double kappa) {
    BlockMatrix a = tm.template().a();
    double norm = 0;
    for (int i = 0; i < a.rowBlocks(); i++) {
      List<Slot> row = new ArrayList<>();
      double[] fixed = new double[a.rowSize(i)];
      for (BlockMatrix.Block b : a.row(i)) {
        Slot s = tm.find('A', b.row(), b.col());
        if (s != null && !(s.original() instanceof org.implicit4j.linalg.Conv2d)) {
          row.add(s);
        } else {
          double[] r = b.op().rowAbsSums();
          for (int k = 0; k < r.length; k++) {
            fixed[k] += r[k];
          }
        }
      }
      for (int k = 0; k < fixed.length; k++) {
        // A hair inside κ, so that the row sum as computed (rounded) is ≤ κ too.
        norm = Math.max(norm, projectRow(row, k, kappa * (1 - 1e-12) - fixed[k], i) + fixed[k]);
      }
    }
    return norm;
  }

  /** Row k of the slots gathered, projected on radius {@code budget}, scattered back; returns its ℓ1 norm. */
  private static double projectRow(List<Slot> slots, int k, double budget, int blockRow) {
    if (slots.isEmpty()) {
      return 0;
    }
    if (budget < 0) {
      throw new TrainingException("cannot keep \u2016A\u2016\u221e \u2264 \u03ba: row " + k + " of state block " + blockRow
          + " already has that much in blocks that cannot be projected (convolutions, products); raise --kappa "
          + "or freeze fewer blocks");
    }
    int len = 0;
    for (Slot s : slots) {
      len += entries(s, k)[1];
    }
    double[] w = new double[len];
    int at = 0;
    for (Slot s : slots) {
      int[] e = entries(s, k);
      System.arraycopy(s.values(), e[0], w, at, e[1]);
      at += e[1];
    }
    Projection.l1Ball(w, 0, len, budget);
    at = 0;
    double norm = 0;
    for (Slot s : slots) {
      int[] e = entries(s, k);
      System.arraycopy(w, at, s.values(), e[0], e[1]);
      at += e[1];
    }
    for (double v : w) {
      norm += Math.abs(v);
    }
    return norm;
  }

  /** {offset, length} of row k's entries in the slot's values. */
  private static int[] entries(Slot s, int k) {
    if (s.original() instanceof DenseMatrix d) {
      return new int[] {k * d.cols(), d.cols()};
    }
    if (s.original() instanceof CsrMatrix c) {
      int[] p = c.indptrCopy();
      return new int[] {p[k], p[k + 1] - p[k]};
    }
    if (s.original() instanceof DiagonalMatrix) {
      return new int[] {k, 1};
    }
    throw new IllegalStateException("internal: no row view of " + s.name());
  }
}
