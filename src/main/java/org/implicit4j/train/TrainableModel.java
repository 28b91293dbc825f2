package org.implicit4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;

/**
 * A model being trained: its structure fixed (states, block layout, sparsity patterns, convolution
 * geometries), the values of its trainable blocks and biases held in arrays that the optimiser
 * updates in place. {@link #snapshot} rebuilds an immutable {@link ImplicitModel}.
 */
final class TrainableModel {
  private final ImplicitModel template;
  private final List<Slot> slots = new ArrayList<>();
  private final List<String> frozen = new ArrayList<>();
  final double[] stateBias;
  final double[] outputBias;
  final double[] stateBiasGrad;
  final double[] outputBiasGrad;

  /**
   * @param freeze block names ("A(0,1)", "B(2,0)", "C", …; a bare letter freezes the whole matrix) and
   *     state block names (their rows of A and B and their bias) to keep fixed
   */
  TrainableModel(ImplicitModel m, Set<String> freeze) {
    this.template = m;
    addSlots('A', m.a(), freeze, m);
    addSlots('B', m.b(), freeze, m);
    addSlots('C', m.c(), freeze, m);
    addSlots('D', m.d(), freeze, m);
    this.stateBias = m.stateBias();
    this.outputBias = m.outputBias();
    this.stateBiasGrad = new double[stateBias.length];
    this.outputBiasGrad = new double[outputBias.length];
  }

  private void addSlots(char name, BlockMatrix bm, Set<String> freeze, ImplicitModel m) {
    for (BlockMatrix.Block b : bm.blocks()) {
      String id = name + "(" + b.row() + "," + b.col() + ")";
      boolean rowFrozen = (name == 'A' || name == 'B') && freeze.contains(m.states().get(b.row()).name());
      Slot s = freeze.contains(id) || freeze.contains(String.valueOf(name)) || rowFrozen ? null
          : Slot.of(name, b.row(), b.col(), b.op());
      if (s == null) {
        frozen.add(id + " " + b.op().kind());
      } else {
        slots.add(s);
      }
    }
  }

  ImplicitModel template() {
    return template;
  }

  List<Slot> slots() {
    return Collections.unmodifiableList(slots);
  }

  /** Blocks kept fixed: frozen by name, or of a kind without trainable values (lazy sums, products, scalings). */
  List<String> frozen() {
    return Collections.unmodifiableList(frozen);
  }

  /** Whether state block {@code i}'s bias is trained (not when the block is frozen by name). */
  boolean biasTrainable(StateBlock s, Set<String> freeze) {
    return !freeze.contains(s.name());
  }

  /** The model with the current values; {@code copy} detaches it from later updates. */
  ImplicitModel snapshot(boolean copy) {
    BlockMatrix a = rebuild('A', template.a(), copy);
    BlockMatrix b = rebuild('B', template.b(), copy);
    BlockMatrix c = rebuild('C', template.c(), copy);
    BlockMatrix d = rebuild('D', template.d(), copy);
    return template.withMatrices(a, b, c, d, stateBias, outputBias);
  }

  private BlockMatrix rebuild(char name, BlockMatrix bm, boolean copy) {
    List<BlockMatrix.Block> blocks = new ArrayList<>();
    for (BlockMatrix.Block b : bm.blocks()) {
      Slot s = find(name, b.row(), b.col());
      blocks.add(s == null ? b : new BlockMatrix.Block(b.row(), b.col(), s.operator(copy)));
    }
    return new BlockMatrix(bm.rowSizes(), bm.colSizes(), blocks);
  }

  Slot find(char name, int row, int col) {
    for (Slot s : slots) {
      if (s.matrix() == name && s.row() == row && s.col() == col) {
        return s;
      }
    }
    return null;
  }

  void zeroGradients() {
    for (Slot s : slots) {
      java.util.Arrays.fill(s.grad(), 0);
    }
    java.util.Arrays.fill(stateBiasGrad, 0);
    java.util.Arrays.fill(outputBiasGrad, 0);
  }
}
