package org.implicit4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.DimensionMismatchException;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.SumOperator;

/**
 * An implicit model, immutable:
 *
 * <pre>
 *   x = φ(A x + B u + b)      equilibrium, x ∈ Rⁿ, u ∈ Rᵖ
 *   ŷ = C x + D u + c         prediction, ŷ ∈ R^q
 * </pre>
 *
 * φ acts blockwise over the {@link StateBlock}s. A is partitioned by state blocks on both sides,
 * B by state blocks × one input block, C by one output block × state blocks, D is one block.
 * Absent blocks are zero. Input and output shapes are metadata beside the flat p and q.
 */
public final class ImplicitModel {
  private final List<StateBlock> states;
  private final BlockMatrix a;
  private final BlockMatrix b;
  private final BlockMatrix c;
  private final BlockMatrix d;
  private final double[] stateBias;
  private final double[] outputBias;
  private final Shape inputShape;
  private final Shape outputShape;
  private final Provenance provenance;
  /** b rounded to float for a float32 model ({@link #withFloat32Kernels}), else null. */
  private final float[] stateBias32;

  private ImplicitModel(List<StateBlock> states, BlockMatrix a, BlockMatrix b, BlockMatrix c, BlockMatrix d,
      double[] stateBias, double[] outputBias, Shape inputShape, Shape outputShape, Provenance provenance) {
    this(states, a, b, c, d, stateBias, outputBias, inputShape, outputShape, provenance, null);
  }

  private ImplicitModel(List<StateBlock> states, BlockMatrix a, BlockMatrix b, BlockMatrix c, BlockMatrix d,
      double[] stateBias, double[] outputBias, Shape inputShape, Shape outputShape, Provenance provenance,
      float[] stateBias32) {
    this.stateBias32 = stateBias32;
    this.states = List.copyOf(states);
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    this.stateBias = stateBias;
    this.outputBias = outputBias;
    this.inputShape = inputShape;
    this.outputShape = outputShape;
    this.provenance = provenance;
  }

  /** Starts a model with input size p and output size q; shapes default to flat vectors. */
  public static Builder builder(int p, int q) {
    return new Builder(Shape.of(p), Shape.of(q));
  }

  public static Builder builder(Shape input, Shape output) {
    return new Builder(input, output);
  }

  /** Number of states. */
  public int n() { return a.rows(); }

  /** Input size. */
  public int p() { return inputShape.size(); }

  /** Output size. */
  public int q() { return outputShape.size(); }

  public List<StateBlock> states() { return states; }

  public BlockMatrix a() { return a; }

  public BlockMatrix b() { return b; }

  public BlockMatrix c() { return c; }

  public BlockMatrix d() { return d; }

  /** The state bias b (copy). */
  public double[] stateBias() { return stateBias.clone(); }

  /** Writes b into {@code dst} from {@code offset}: one sample's constant term without a copy of b. */
  public void stateBiasInto(double[] dst, int offset) {
    System.arraycopy(stateBias, 0, dst, offset, stateBias.length);
  }

  /** Writes b, rounded to float, into {@code dst} from {@code offset}; a float32 model only. */
  public void stateBiasInto(float[] dst, int offset) {
    if (stateBias32 == null) {
      throw new IllegalStateException("float32 states need the model's withFloat32Kernels()");
    }
    System.arraycopy(stateBias32, 0, dst, offset, stateBias32.length);
  }

  /**
   * True for a model from {@link #withFloat32Kernels}: its products run in float32 and its
   * predictions are solved with float32 states.
   */
  public boolean isFloat32() {
    return stateBias32 != null;
  }

  /** Writes c into {@code dst} from {@code offset}: one sample's output bias without a copy of c. */
  public void outputBiasInto(double[] dst, int offset) {
    System.arraycopy(outputBias, 0, dst, offset, outputBias.length);
  }

  /** The output bias c (copy). */
  public double[] outputBias() { return outputBias.clone(); }

  public Shape inputShape() { return inputShape; }

  public Shape outputShape() { return outputShape; }

  /** Where the model came from and what was done to it. */
  public Provenance provenance() { return provenance; }

  /** True when A is strictly block upper triangular, so back-substitution solves it exactly. */
  public boolean isStrictlyUpperTriangular() {
    return a.isStrictlyBlockUpperTriangular();
  }

  /** The same model with another provenance. */
  public ImplicitModel withProvenance(Provenance p) {
    return new ImplicitModel(states, a, b, c, d, stateBias, outputBias, inputShape, outputShape, p, stateBias32);
  }

  /** The same model with different shapes of the same sizes. */
  public ImplicitModel withShapes(Shape input, Shape output) {
    DimensionMismatchException.check("withShapes", "new input size", input.size(), "p", p());
    DimensionMismatchException.check("withShapes", "new output size", output.size(), "q", q());
    return new ImplicitModel(states, a, b, c, d, stateBias, outputBias, input, output, provenance, stateBias32);
  }

  /**
   * A model with the given matrices and biases and this model's states, shapes and metadata;
   * used by transformations (rescaling, composition) that keep the state layout.
   */
  public ImplicitModel withMatrices(BlockMatrix a, BlockMatrix b, BlockMatrix c, BlockMatrix d,
      double[] stateBias, double[] outputBias) {
    return new ImplicitModel(states, a, b, c, d, stateBias.clone(), outputBias.clone(), inputShape, outputShape, provenance);
  }


  /**
   * The same model whose convolution and dense blocks multiply in float32, and whose predictions
   * are solved with float32 states: float32 rounding throughout, as ONNX Runtime has on a float32
   * network, at about twice the speed. For prediction speed only; the double model stays the
   * reference for verification, analysis and rescaling.
   */
  public ImplicitModel withFloat32Kernels() {
    if (isFloat32()) {
      return this;
    }
    float[] b32 = new float[stateBias.length];
    for (int i = 0; i < b32.length; i++) {
      b32[i] = (float) stateBias[i];
    }
    return new ImplicitModel(states, a.withFloat32Kernels(), b.withFloat32Kernels(), c.withFloat32Kernels(),
        d.withFloat32Kernels(), stateBias, outputBias, inputShape, outputShape, provenance, b32);
  }

  /** Total stored parameters over A, B, C, D. */
  public long storedValues() {
    return a.storedValues() + b.storedValues() + c.storedValues() + d.storedValues();
  }

  /** Builds a model block by block; adding to an occupied block adds the operators. */
  /** The most states, inputs or outputs a model may have: 2²⁴ (an imported ResNet-20 has 188,416 states). */
  public static final long MAX_SIZE = 1L << 24;

  public static final class Builder {
    private final Shape inputShape;
    private Shape outputShape;
    private final List<StateBlock> states = new ArrayList<>();
    private final Map<Long, LinearOperator> aBlocks = new TreeMap<>();
    private final Map<Integer, LinearOperator> bBlocks = new TreeMap<>();
    private final Map<Integer, LinearOperator> cBlocks = new TreeMap<>();
    private LinearOperator dBlock;
    private final List<double[]> biases = new ArrayList<>();
    private double[] outputBias;
    private Provenance provenance = Provenance.none();
    private int n;

    private Builder(Shape input, Shape output) {
      checkSize("inputs p", input.size());
      checkSize("outputs q", output.size());
      this.inputShape = input;
      this.outputShape = output;
      this.outputBias = new double[output.size()];
    }

    /** Appends a state block and returns its index. */
    public int addState(String name, int size, Activation activation) {
      return addState(name, Shape.of(size), activation);
    }

    public int addState(String name, Shape shape, Activation activation) {
      checkSize("states n", (long) n + shape.size());
      states.add(new StateBlock(name, n, shape.size(), activation, shape));
      biases.add(new double[shape.size()]);
      n = Math.addExact(n, shape.size());
      return states.size() - 1;
    }

    /** Refuses sizes no model here holds (beyond {@link #MAX_SIZE}) before anything of that size is allocated. */
    private static void checkSize(String what, long size) {
      if (size > MAX_SIZE) {
        throw new DimensionMismatchException("a model with " + size + " " + what + " is too large to hold (at most "
            + MAX_SIZE + ")");
      }
    }

    public int stateCount() { return states.size(); }

    public StateBlock state(int i) { return states.get(i); }

    /** A_ij += op. */
    public Builder addA(int i, int j, LinearOperator op) {
      checkState(i, "A row");
      checkState(j, "A column");
      aBlocks.merge(((long) i << 32) | j, op, SumOperator::of);
      return this;
    }

    /** B_i += op (rows of state block i, all p inputs). */
    public Builder addB(int i, LinearOperator op) {
      checkState(i, "B row");
      bBlocks.merge(i, op, SumOperator::of);
      return this;
    }

    /** C_j += op (all q outputs, columns of state block j). */
    public Builder addC(int j, LinearOperator op) {
      checkState(j, "C column");
      cBlocks.merge(j, op, SumOperator::of);
      return this;
    }

    /** D += op. */
    public Builder addD(LinearOperator op) {
      dBlock = dBlock == null ? op : SumOperator.of(dBlock, op);
      return this;
    }

    /** b_i += bias. */
    public Builder addStateBias(int i, double[] bias) {
      checkState(i, "bias");
      double[] t = biases.get(i);
      DimensionMismatchException.check("state bias of '" + states.get(i).name() + "'", "bias length", bias.length,
          "block size", t.length);
      for (int k = 0; k < t.length; k++) {
        t[k] += bias[k];
      }
      return this;
    }

    /** c += bias. */
    public Builder addOutputBias(double[] bias) {
      DimensionMismatchException.check("output bias", "bias length", bias.length, "q", outputBias.length);
      for (int k = 0; k < bias.length; k++) {
        outputBias[k] += bias[k];
      }
      return this;
    }

    public Builder outputShape(Shape s) {
      DimensionMismatchException.check("output shape", "new shape size", s.size(), "q", outputShape.size());
      outputShape = s;
      return this;
    }

    public Builder provenance(Provenance p) {
      provenance = p;
      return this;
    }

    private void checkState(int i, String what) {
      if (i < 0 || i >= states.size()) {
        throw new IndexOutOfBoundsException(what + " state block " + i + " of " + states.size());
      }
    }

    public ImplicitModel build() {
      int[] sizes = states.stream().mapToInt(StateBlock::size).toArray();
      int[] pSize = {inputShape.size()};
      int[] qSize = {outputShape.size()};
      List<BlockMatrix.Block> ab = new ArrayList<>();
      aBlocks.forEach((k, op) -> ab.add(new BlockMatrix.Block((int) (k >>> 32), (int) (long) k, op)));
      List<BlockMatrix.Block> bb = new ArrayList<>();
      bBlocks.forEach((i, op) -> bb.add(new BlockMatrix.Block(i, 0, op)));
      List<BlockMatrix.Block> cb = new ArrayList<>();
      cBlocks.forEach((j, op) -> cb.add(new BlockMatrix.Block(0, j, op)));
      List<BlockMatrix.Block> db = dBlock == null ? List.of() : List.of(new BlockMatrix.Block(0, 0, dBlock));
      double[] bias = new double[n];
      for (int i = 0; i < states.size(); i++) {
        System.arraycopy(biases.get(i), 0, bias, states.get(i).offset(), states.get(i).size());
      }
      return new ImplicitModel(states, new BlockMatrix(sizes, sizes, ab), new BlockMatrix(sizes, pSize, bb),
          new BlockMatrix(qSize, sizes, cb), new BlockMatrix(qSize, pSize, db), bias, outputBias.clone(),
          inputShape, outputShape, provenance);
    }
  }
}
