package org.implicit4j.solve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;

/**
 * A max-pool tree recognised in A and run as one pooling kernel. The importer writes max(a, b) as
 * b + relu(a − b) over selections (MaxPool, GlobalMaxPool, ReduceMax; IMPLICIT.md §1), one state
 * block per tree level: a level's row is relu(V₁ − V₂) with each V either one state (a tap) or a
 * value v = V' + r of a lower level, where r is that level's row and V' its subtracted operand.
 * Written out in A, a row at depth d holds about 2d selections (mnist8-zoo: 17,000 entries for
 * 6,272 taps); the kernel reads each tap once and keeps the values v in a scratch array.
 *
 * <p>Recognised from A alone (a saved model has no import notes): a run of consecutive blocks
 * with ReLU or identity activation, no bias, no B, and only ±1 selection entries in A (a kept zero
 * is a tap on both sides, a − a, where a padded window repeats a tap). Each row
 * is matched against the tree's algebra: a ReLU row's positive entries must be a known value V₁ and
 * its negative entries a known value V₂; an identity row's entries a known value. Anything else —
 * a scaled (rescaled) block, a coefficient other than ±1, a sum that is not a tree value — leaves
 * the run to the plain block products (a min tree's values a − r are not matched: only its first
 * level, plain relu(a − b), runs here). The states are those of the model's formula, with the sums
 * taken in the tree's order: they agree with the plain products to rounding.
 */
final class MaxTree {
  /**
   * One state block of the run, its rows from {@code offset}: ReLU rows x = relu(V(a) − V(b)), or
   * identity rows x = V(a). Ids ≥ 0 are states, ~slot a value of a lower level.
   */
  private record Level(boolean relu, int offset, int[] a, int[] b, int slot, Source source) {
    Level(boolean relu, int offset, int[] a, int[] b, int slot) {
      this(relu, offset, a, b, slot, Source.of(relu, a, b));
    }
  }

  /**
   * Where a ReLU level reads V(a) and V(b): all from states, all from lower values, or per id
   * (identity levels are MIXED: copied per id).
   */
  private enum Source {
    STATES, VALUES, MIXED;

    static Source of(boolean relu, int[] a, int[] b) {
      boolean states = relu;
      boolean values = relu;
      for (int k = 0; relu && k < a.length; k++) {
        states &= a[k] >= 0 && b[k] >= 0;
        values &= a[k] < 0 && b[k] < 0;
      }
      return states ? STATES : values ? VALUES : MIXED;
    }
  }

  private final List<Level> levels;
  private final int slots;
  private final int first;
  private final int last;

  private MaxTree(List<Level> levels, int slots, int first, int last) {
    this.levels = levels;
    this.slots = slots;
    this.first = first;
    this.last = last;
  }

  /** The lowest state block of the run (solved last). */
  int first() { return first; }

  /** The highest state block of the run (solved first). */
  int last() { return last; }

  /** Values v = V' + r kept per sample. */
  int slots() { return slots; }

  /**
   * The tree over blocks [f, last] for the smallest f ≥ first such that every row of those blocks
   * is a tree row, if it has a ReLU level. The caller has checked the blocks with {@link #eligible}.
   */
  static Optional<MaxTree> longest(ImplicitModel model, int first, int last) {
    Builder b = new Builder(model);
    int f = last + 1;
    while (f > first && b.level(f - 1)) {
      f--;
    }
    return b.slots == 0 ? Optional.empty() : Optional.of(new MaxTree(b.levels, b.slots, f, last));
  }

  /**
   * Per state block, whether it can be a level: ReLU or identity, no bias, no B, and only CSR
   * blocks of ±1 (and kept zeros) in A.
   */
  static boolean[] eligible(ImplicitModel model) {
    double[] bias = model.stateBias();
    boolean[] ok = new boolean[model.states().size()];
    for (int i = 0; i < ok.length; i++) {
      ok[i] = eligible(model, i, bias);
    }
    return ok;
  }

  private static boolean eligible(ImplicitModel model, int i, double[] bias) {
    StateBlock blk = model.states().get(i);
    Activation f = blk.activation();
    if (!(f instanceof Activation.Relu || f instanceof Activation.Identity) || !model.b().row(i).isEmpty()
        || model.a().row(i).isEmpty()) {
      return false;
    }
    for (int r = blk.offset(); r < blk.end(); r++) {
      if (bias[r] != 0) {
        return false;
      }
    }
    for (BlockMatrix.Block b : model.a().row(i)) {
      if (!(b.op() instanceof CsrMatrix csr) || !signs(csr.valuesCopy())) {
        return false;
      }
    }
    return true;
  }

  private static boolean signs(double[] values) {
    for (double v : values) {
      if (v != 1 && v != -1 && v != 0) {
        return false;
      }
    }
    return true;
  }

  /** Runs the levels on one sample's states x[xo, xo + n), with {@link #slots} values of scratch. */
  void run(double[] x, int xo, double[] v) {
    for (Level l : levels) {
      switch (l.source) {
        case STATES -> reluFromStates(l, x, xo, v);
        case VALUES -> reluFromValues(l, x, xo, v);
        case MIXED -> {
          if (l.relu) {
            reluMixed(l, x, xo, v);
          } else {
            copy(l, x, xo, v);
          }
        }
      }
    }
  }

  /** The float32 {@link #run}. */
  void run(float[] x, int xo, float[] v) {
    for (Level l : levels) {
      switch (l.source) {
        case STATES -> reluFromStates(l, x, xo, v);
        case VALUES -> reluFromValues(l, x, xo, v);
        case MIXED -> {
          if (l.relu) {
            reluMixed(l, x, xo, v);
          } else {
            copy(l, x, xo, v);
          }
        }
      }
    }
  }

  // One loop per operand source: the branch per id cost a third of the time (mnist8-zoo: 7.5 → 4.5 µs).
  private static void reluFromStates(Level l, double[] x, int xo, double[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      double b = x[xo + l.b[k]];
      double r = Math.max(x[xo + l.a[k]] - b, 0.0);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void reluFromValues(Level l, double[] x, int xo, double[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      double b = v[~l.b[k]];
      double r = Math.max(v[~l.a[k]] - b, 0.0);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void reluMixed(Level l, double[] x, int xo, double[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      int sa = l.a[k];
      int sb = l.b[k];
      double b = sb >= 0 ? x[xo + sb] : v[~sb];
      double r = Math.max((sa >= 0 ? x[xo + sa] : v[~sa]) - b, 0.0);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void copy(Level l, double[] x, int xo, double[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      int s = l.a[k];
      x[xr + k] = s >= 0 ? x[xo + s] : v[~s];
    }
  }

  private static void reluFromStates(Level l, float[] x, int xo, float[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      float b = x[xo + l.b[k]];
      float r = Math.max(x[xo + l.a[k]] - b, 0f);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void reluFromValues(Level l, float[] x, int xo, float[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      float b = v[~l.b[k]];
      float r = Math.max(v[~l.a[k]] - b, 0f);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void reluMixed(Level l, float[] x, int xo, float[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      int sa = l.a[k];
      int sb = l.b[k];
      float b = sb >= 0 ? x[xo + sb] : v[~sb];
      float r = Math.max((sa >= 0 ? x[xo + sa] : v[~sa]) - b, 0f);
      x[xr + k] = r;
      v[l.slot + k] = b + r;
    }
  }

  private static void copy(Level l, float[] x, int xo, float[] v) {
    int xr = xo + l.offset;
    for (int k = 0; k < l.a.length; k++) {
      int s = l.a[k];
      x[xr + k] = s >= 0 ? x[xo + s] : v[~s];
    }
  }

  /**
   * Matches rows to the tree's algebra. A value is named by its sorted state columns: one column is
   * that state (id ≥ 0), several are a value V' + r made by a ReLU row (id ~slot).
   */
  private static final class Builder {
    private final ImplicitModel model;
    private final Map<Key, Integer> values = new HashMap<>();
    private final List<Level> levels = new ArrayList<>();
    private int slots;

    Builder(ImplicitModel model) {
      this.model = model;
    }

    /** Adds block i as a level; false when a row is not a tree row. */
    boolean level(int i) {
      StateBlock blk = model.states().get(i);
      boolean relu = blk.activation() instanceof Activation.Relu;
      int[][] cols = new int[blk.size()][];
      int[][] signs = new int[blk.size()][];
      gather(i, cols, signs);
      int[] a = new int[blk.size()];
      int[] b = new int[blk.size()];
      for (int r = 0; r < a.length; r++) {
        Integer va = value(cols[r], signs[r], 1);
        // an identity row has no subtracted part: x = V(a)
        Integer vb = relu ? value(cols[r], signs[r], -1) : count(signs[r], -1) == 0 ? Integer.valueOf(0) : null;
        if (va == null || vb == null) {
          return false;
        }
        a[r] = va;
        b[r] = vb;
        if (relu) {
          values.put(Key.of(cols[r], signs[r], -1, blk.offset() + r), ~(slots + r));
        }
      }
      levels.add(new Level(relu, blk.offset(), a, relu ? b : null, slots));
      slots += relu ? a.length : 0;
      return true;
    }

    /** Each row's state columns and entry signs, over all of A's blocks in row block i. */
    private void gather(int i, int[][] cols, int[][] signs) {
      List<Entries> blocks = new ArrayList<>();
      for (BlockMatrix.Block blk : model.a().row(i)) {
        CsrMatrix m = (CsrMatrix) blk.op();
        blocks.add(new Entries(model.a().colOffset(blk.col()), m.indptrCopy(), m.indicesCopy(), m.valuesCopy()));
      }
      int[] len = new int[cols.length];
      for (int pass = 0; pass < 2; pass++) { // count, then fill
        Arrays.fill(len, 0);
        for (Entries e : blocks) {
          for (int r = 0; r < cols.length; r++) {
            for (int k = e.ptr[r]; k < e.ptr[r + 1]; k++) {
              // A kept zero is a tap taken on both sides (a window's padding, a − a): read it as +c − c.
              for (int sign = -1; sign <= 1; sign += 2) {
                if (e.val[k] == 0 || e.val[k] == sign) {
                  if (pass == 1) {
                    cols[r][len[r]] = e.off + e.idx[k];
                    signs[r][len[r]] = sign;
                  }
                  len[r]++;
                }
              }
            }
          }
        }
        for (int r = 0; pass == 0 && r < cols.length; r++) {
          cols[r] = new int[len[r]];
          signs[r] = new int[len[r]];
        }
      }
    }

    /** One CSR block of the row block, its columns from {@code off} in the state vector. */
    private record Entries(int off, int[] ptr, int[] idx, double[] val) {}

    /** The value made of the row's entries of one sign, or null when it is no known value. */
    private Integer value(int[] cols, int[] signs, int sign) {
      int count = count(signs, sign);
      if (count == 1) {
        for (int k = 0; k < cols.length; k++) {
          if (signs[k] == sign) {
            return cols[k];
          }
        }
      }
      return count == 0 ? null : values.get(Key.of(cols, signs, sign, -1));
    }

    private static int count(int[] signs, int sign) {
      int c = 0;
      for (int s : signs) {
        c += s == sign ? 1 : 0;
      }
      return c;
    }
  }

  /** A value's state columns, sorted; a repeated column (a tap taken twice) is kept twice. */
  private record Key(int[] cols) {
    static Key of(int[] cols, int[] signs, int sign, int extra) {
      int[] k = new int[Builder.count(signs, sign) + (extra >= 0 ? 1 : 0)];
      int n = 0;
      for (int i = 0; i < cols.length; i++) {
        if (signs[i] == sign) {
          k[n++] = cols[i];
        }
      }
      if (extra >= 0) {
        k[n] = extra;
      }
      Arrays.sort(k);
      return new Key(k);
    }

    @Override public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(cols, k.cols); }

    @Override public int hashCode() { return Arrays.hashCode(cols); }

    @Override public String toString() { return Arrays.toString(cols); }
  }
}
