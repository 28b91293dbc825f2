package org.implicit4j.solve;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.SolvePlanSummary;

/**
 * Back-substitution compiled once per model into a flat list of steps, run from the last state
 * block up: a plain step is x_i = φ_i(x_i + Σ_{j>i} A_ij x_j) by the block products (x_i holds
 * b_i + B_i u), a tree step runs a run of max-pool levels as one pooling kernel ({@link MaxTree}).
 * The model stays the source of truth: a plan holds no values of it, only which blocks go together
 * and the index gathers of the trees, and tests check every plan against {@link #plain}.
 */
public final class SolvePlan {
  /** One step of the plan. */
  sealed interface Step permits Block, Tree {}

  /** State block {@code index} by its block products, then its activation. */
  record Block(int index) implements Step {}

  /** State blocks [tree.first(), tree.last()] by one pooling kernel. */
  record Tree(MaxTree tree) implements Step {}

  /** Plans by model; a plan holds no reference to its model, so the entry goes with the model. */
  private static final Map<ImplicitModel, SolvePlan> PLANS = Collections.synchronizedMap(new WeakHashMap<>());

  private final List<Step> steps;
  private final int slots;

  private SolvePlan(List<Step> steps) {
    this.steps = List.copyOf(steps);
    this.slots = steps.stream().mapToInt(s -> s instanceof Tree t ? t.tree().slots() : 0).max().orElse(0);
  }

  /** The model's plan, compiled on first use. */
  static SolvePlan of(ImplicitModel model) {
    SolvePlan p = PLANS.get(model);
    if (p == null) {
      p = compile(model);
      PLANS.put(model, p);
    }
    return p;
  }

  /** One plain step per block, the reference the compiled plan is checked against. */
  static SolvePlan plain(ImplicitModel model) {
    List<Step> steps = new ArrayList<>();
    for (int i = model.states().size() - 1; i >= 0; i--) {
      steps.add(new Block(i));
    }
    return new SolvePlan(steps);
  }

  /**
   * Walks the blocks from the last: at each, the longest tree over the run of tree-eligible blocks
   * that starts there, else a plain step.
   */
  static SolvePlan compile(ImplicitModel model) {
    boolean[] eligible = MaxTree.eligible(model);
    List<Step> steps = new ArrayList<>();
    int i = eligible.length - 1;
    while (i >= 0) {
      int lo = i;
      while (lo >= 0 && eligible[lo]) {
        lo--;
      }
      Optional<MaxTree> tree = lo < i ? MaxTree.longest(model, lo + 1, i) : Optional.empty();
      if (tree.isPresent()) {
        steps.add(new Tree(tree.get()));
        i = tree.get().first() - 1;
      } else {
        steps.add(new Block(i--));
      }
    }
    return new SolvePlan(steps);
  }

  List<Step> steps() { return steps; }

  /** What back-substitution runs for this model: its steps and pooling kernels, for `info`. */
  public static SolvePlanSummary summary(ImplicitModel model) {
    if (!model.isStrictlyUpperTriangular()) {
      return new SolvePlanSummary(false, model.states().size(), 0, List.of());
    }
    SolvePlan plan = of(model);
    List<SolvePlanSummary.PoolingKernel> kernels = new ArrayList<>();
    for (Step s : plan.steps) {
      if (s instanceof Tree t) {
        int first = t.tree().first();
        int last = t.tree().last();
        // States are stored last block first: the run spans from block first's offset to block last's end.
        int rows = model.states().get(last).end() - model.states().get(first).offset();
        kernels.add(new SolvePlanSummary.PoolingKernel(first, last, rows));
      }
    }
    return new SolvePlanSummary(true, model.states().size(), plan.steps.size(), kernels);
  }

  /** Back-substitution of {@code count} samples in place in x from xo (sample stride n). */
  void substitute(ImplicitModel model, double[] x, int xo, int count) {
    int n = model.n();
    double[] v = slots > 0 ? new double[slots] : null;
    for (Step step : steps) {
      if (step instanceof Tree t) {
        for (int s = 0; s < count; s++) {
          t.tree().run(x, xo + s * n, v);
        }
        continue;
      }
      int i = ((Block) step).index();
      // Row block i reads only column blocks j > i, which are final; rows and columns are disjoint.
      model.a().multAddRow(i, x, xo, n, x, xo, n, count);
      StateBlock blk = model.states().get(i);
      for (int s = 0; s < count; s++) {
        blk.activation().applyInPlace(x, xo + s * n + blk.offset(), blk.size());
      }
    }
  }

  /** The float32 {@link #substitute}. */
  void substitute(ImplicitModel model, float[] x, int xo, int count) {
    int n = model.n();
    float[] v = slots > 0 ? new float[slots] : null;
    for (Step step : steps) {
      if (step instanceof Tree t) {
        for (int s = 0; s < count; s++) {
          t.tree().run(x, xo + s * n, v);
        }
        continue;
      }
      int i = ((Block) step).index();
      model.a().multAddRow(i, x, xo, n, x, xo, n, count);
      StateBlock blk = model.states().get(i);
      for (int s = 0; s < count; s++) {
        blk.activation().applyInPlace(x, xo + s * n + blk.offset(), blk.size());
      }
    }
  }
}
