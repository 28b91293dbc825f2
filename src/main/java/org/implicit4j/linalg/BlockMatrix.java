package org.implicit4j.linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A matrix partitioned into row blocks and column blocks, of which only the non-zero blocks are
 * stored, each as any {@link LinearOperator}. Row block i spans rows [rowOffset(i), rowOffset(i+1)).
 * Immutable; {@link #withBlock} returns a new matrix.
 */
public final class BlockMatrix implements LinearOperator {
  @Override
  public <R, X extends Exception> R accept(OperatorVisitor<R, X> v) throws X {
    return v.block(this);
  }

  /** One stored block: rows of row block {@code row}, columns of column block {@code col}. */
  public record Block(int row, int col, LinearOperator op) {}

  private final int[] rowOffsets;
  private final int[] colOffsets;
  private final List<Block> blocks;
  private final List<List<Block>> byRow;

  public BlockMatrix(int[] rowSizes, int[] colSizes, List<Block> blocks) {
    this.rowOffsets = offsets(rowSizes);
    this.colOffsets = offsets(colSizes);
    boolean[][] seen = new boolean[rowSizes.length][colSizes.length];
    List<List<Block>> rows = new ArrayList<>();
    for (int i = 0; i < rowSizes.length; i++) {
      rows.add(new ArrayList<>());
    }
    for (Block b : blocks) {
      if (b.row < 0 || b.row >= rowSizes.length || b.col < 0 || b.col >= colSizes.length) {
        throw new DimensionMismatchException("block (" + b.row + "," + b.col + ") outside a "
            + rowSizes.length + "x" + colSizes.length + " block grid");
      }
      if (seen[b.row][b.col]) {
        throw new IllegalArgumentException("block (" + b.row + "," + b.col + ") given twice");
      }
      seen[b.row][b.col] = true;
      DimensionMismatchException.check("block (" + b.row + "," + b.col + ")", "operator rows", b.op.rows(),
          "row block size", rowSizes[b.row]);
      DimensionMismatchException.check("block (" + b.row + "," + b.col + ")", "operator cols", b.op.cols(),
          "column block size", colSizes[b.col]);
      rows.get(b.row).add(b);
    }
    this.blocks = List.copyOf(blocks);
    List<List<Block>> frozen = new ArrayList<>();
    for (List<Block> r : rows) {
      frozen.add(List.copyOf(r));
    }
    this.byRow = Collections.unmodifiableList(frozen);
  }

  private static int[] offsets(int[] sizes) {
    int[] o = new int[sizes.length + 1];
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 0) {
        throw new DimensionMismatchException("negative block size " + sizes[i]);
      }
      o[i + 1] = Math.addExact(o[i], sizes[i]);
    }
    return o;
  }

  public int rowBlocks() { return rowOffsets.length - 1; }

  public int colBlocks() { return colOffsets.length - 1; }

  public int rowOffset(int i) { return rowOffsets[i]; }

  public int colOffset(int j) { return colOffsets[j]; }

  public int rowSize(int i) { return rowOffsets[i + 1] - rowOffsets[i]; }

  public int colSize(int j) { return colOffsets[j + 1] - colOffsets[j]; }

  public int[] rowSizes() {
    int[] s = new int[rowBlocks()];
    for (int i = 0; i < s.length; i++) {
      s[i] = rowSize(i);
    }
    return s;
  }

  public int[] colSizes() {
    int[] s = new int[colBlocks()];
    for (int j = 0; j < s.length; j++) {
      s[j] = colSize(j);
    }
    return s;
  }

  public List<Block> blocks() { return blocks; }

  /** The stored blocks of row block i. */
  public List<Block> row(int i) { return byRow.get(i); }

  /** The operator at (i, j), or null when that block is zero. */
  public LinearOperator get(int i, int j) {
    for (Block b : byRow.get(i)) {
      if (b.col == j) {
        return b.op;
      }
    }
    return null;
  }

  /** A copy with block (i, j) replaced (or removed when op is null). */
  public BlockMatrix withBlock(int i, int j, LinearOperator op) {
    List<Block> nb = new ArrayList<>();
    for (Block b : blocks) {
      if (b.row != i || b.col != j) {
        nb.add(b);
      }
    }
    if (op != null) {
      nb.add(new Block(i, j, op));
    }
    return new BlockMatrix(rowSizes(), colSizes(), nb);
  }

  /** True when every stored block lies strictly above the block diagonal (col block > row block). */
  public boolean isStrictlyBlockUpperTriangular() {
    return blocks.stream().allMatch(b -> b.col > b.row);
  }

  @Override public int rows() { return rowOffsets[rowOffsets.length - 1]; }

  @Override public int cols() { return colOffsets[colOffsets.length - 1]; }

  @Override
  public void multAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (Block b : blocks) {
      b.op.multAdd(x, xOff + colOffsets[b.col], xStride, y, yOff + rowOffsets[b.row], yStride, batch);
    }
  }

  /** y_i += Σ_j M_ij x_j for row block i only; y addresses the whole row range. */
  public void multAddRow(int i, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (Block b : byRow.get(i)) {
      b.op.multAdd(x, xOff + colOffsets[b.col], xStride, y, yOff + rowOffsets[b.row], yStride, batch);
    }
  }

  @Override
  public void multAdd(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    for (Block b : blocks) {
      b.op.multAdd(x, xOff + colOffsets[b.col], xStride, y, yOff + rowOffsets[b.row], yStride, batch);
    }
  }

  /** The float32 {@link #multAddRow}. */
  public void multAddRow(int i, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int batch) {
    for (Block b : byRow.get(i)) {
      b.op.multAdd(x, xOff + colOffsets[b.col], xStride, y, yOff + rowOffsets[b.row], yStride, batch);
    }
  }

  @Override
  public void multTransAdd(double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int batch) {
    for (Block b : blocks) {
      b.op.multTransAdd(x, xOff + rowOffsets[b.row], xStride, y, yOff + colOffsets[b.col], yStride, batch);
    }
  }

  @Override
  public BlockMatrix abs() {
    List<Block> nb = new ArrayList<>();
    for (Block b : blocks) {
      nb.add(new Block(b.row, b.col, b.op.abs()));
    }
    return new BlockMatrix(rowSizes(), colSizes(), nb);
  }

  @Override
  public BlockMatrix withFloat32Kernels() {
    List<Block> nb = new ArrayList<>();
    for (Block b : blocks) {
      nb.add(new Block(b.row, b.col, b.op.withFloat32Kernels()));
    }
    return new BlockMatrix(rowSizes(), colSizes(), nb);
  }

  @Override
  public BlockMatrix absBound() {
    List<Block> nb = new ArrayList<>();
    for (Block b : blocks) {
      nb.add(new Block(b.row, b.col, b.op.absBound()));
    }
    return new BlockMatrix(rowSizes(), colSizes(), nb);
  }

  @Override
  public double[] rowAbsSums() {
    double[] r = new double[rows()];
    for (Block b : blocks) {
      double[] s = b.op.rowAbsSums();
      int o = rowOffsets[b.row];
      for (int k = 0; k < s.length; k++) {
        r[o + k] += s[k];
      }
    }
    return r;
  }

  @Override
  public BlockMatrix scaled(double[] left, double[] right) {
    List<Block> nb = new ArrayList<>();
    for (Block b : blocks) {
      double[] l = left == null ? null : Arrays.copyOfRange(left, rowOffsets[b.row], rowOffsets[b.row + 1]);
      double[] r = right == null ? null : Arrays.copyOfRange(right, colOffsets[b.col], colOffsets[b.col + 1]);
      nb.add(new Block(b.row, b.col, b.op.scaled(l, r)));
    }
    return new BlockMatrix(rowSizes(), colSizes(), nb);
  }

  @Override
  public CsrMatrix toSparse() {
    int rows = rows();
    List<CsrMatrix> sp = new ArrayList<>();
    long nnz = 0;
    for (Block b : blocks) {
      CsrMatrix s = b.op.toSparse();
      sp.add(s);
      nnz += s.nnz();
    }
    if (nnz > Integer.MAX_VALUE - 16) {
      throw new DimensionMismatchException("block matrix toSparse: " + nnz + " non-zeros exceed one array");
    }
    int[] count = new int[rows + 1];
    for (int k = 0; k < blocks.size(); k++) {
      CsrMatrix s = sp.get(k);
      int o = rowOffsets[blocks.get(k).row];
      for (int i = 0; i < s.rows(); i++) {
        count[o + i + 1] += s.indptr()[i + 1] - s.indptr()[i];
      }
    }
    for (int i = 0; i < rows; i++) {
      count[i + 1] += count[i];
    }
    int[] fill = Arrays.copyOf(count, rows);
    int[] idx = new int[(int) nnz];
    double[] val = new double[(int) nnz];
    for (int k = 0; k < blocks.size(); k++) {
      CsrMatrix s = sp.get(k);
      int ro = rowOffsets[blocks.get(k).row];
      int co = colOffsets[blocks.get(k).col];
      for (int i = 0; i < s.rows(); i++) {
        for (int e = s.indptr()[i]; e < s.indptr()[i + 1]; e++) {
          int at = fill[ro + i]++;
          idx[at] = co + s.indices()[e];
          val[at] = s.values()[e];
        }
      }
    }
    return new CsrMatrix(rows, cols(), count, idx, val);
  }

  @Override
  public long storedValues() {
    return blocks.stream().mapToLong(b -> b.op.storedValues()).sum();
  }

  @Override public String kind() { return "block"; }

  @Override
  public long nnz() {
    return blocks.stream().mapToLong(b -> b.op.nnz()).sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockMatrix m && Arrays.equals(m.rowOffsets, rowOffsets)
        && Arrays.equals(m.colOffsets, colOffsets) && new java.util.HashSet<>(m.blocks).equals(new java.util.HashSet<>(blocks));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rowOffsets) * 31 + blocks.size();
  }
}
