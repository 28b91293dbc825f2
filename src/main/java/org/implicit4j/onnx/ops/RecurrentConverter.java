package org.implicit4j.onnx.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.Ops;
import org.implicit4j.onnx.Tensor;

/**
 * RNN, GRU and LSTM, unrolled over the time steps the input shape fixes (docs/MATHS.md §7). Each
 * step's gates are affine in x_t and h_{t−1}; the bilinear terms (σ(f) ⊙ c, σ(i) ⊙ tanh(c̃),
 * σ(o) ⊙ tanh(c), z ⊙ (h_{t−1} − h̃), r ⊙ h_{t−1}) are product states, so the result is a strictly
 * triangular implicit model and back-substitution is exact. Directions forward, reverse and
 * bidirectional; layout 0 and 1; initial states of any value; LSTM peepholes; GRU's
 * linear_before_reset. Refused by name: clip, input_forget, sequence_lens shorter than the input,
 * activations other than Sigmoid, Tanh and Relu.
 */
public final class RecurrentConverter implements org.implicit4j.onnx.OpConverter {
  /** The three cells, with their gate counts and default activations (ONNX order). */
  public enum Cell {
    RNN(1, "Tanh"), GRU(3, "Sigmoid", "Tanh"), LSTM(4, "Sigmoid", "Tanh", "Tanh");

    final int gates;
    final String[] defaults;

    Cell(int gates, String... defaults) {
      this.gates = gates;
      this.defaults = defaults;
    }
  }

  private final Cell cell;

  public RecurrentConverter(Cell cell) {
    this.cell = cell;
  }

  /** One direction's weights split per gate, and its activations f, g, h. */
  /** bias[k] = Wb_k + Rb_k; rb[k] = Rb_k alone (GRU's linear_before_reset keeps it inside the reset product). */
  private record Direction(DenseMatrix[] w, DenseMatrix[] r, double[][] bias, double[][] rb, double[][] peep,
      Activation[] act) {}

  /** The sizes fixed by the input shape and the attributes. */
  private record Dims(int seq, int batch, int input, int hidden, int dirs) {}

  @Override
  public List<Affine> lower(OnnxNodeView n) {
    refuseUnsupported(n);
    boolean batchFirst = n.intOr("layout", 0) == 1;
    Affine x = n.input(0);
    if (x.rank() != 3) {
      throw n.error("X has shape " + Arrays.toString(x.shape()) + "; expected rank 3");
    }
    x = batchFirst ? TransposeConverter.permute(x, new int[] {1, 0, 2}) : x;
    Dims d = dims(n, x.shape());
    checkSequenceLengths(n, d);
    List<List<Affine>> hs = new ArrayList<>();
    List<Affine> finalH = new ArrayList<>();
    List<Affine> finalC = new ArrayList<>();
    String base = n.outputName(0).isEmpty() ? n.name() : n.outputName(0);
    for (int dir = 0; dir < d.dirs(); dir++) {
      Direction w = direction(n, d, dir);
      Affine h = initial(n, 5, d, dir, batchFirst);
      Affine c = cell == Cell.LSTM ? initial(n, 6, d, dir, batchFirst) : null;
      boolean reverse = isReverse(n, dir);
      Affine[] ys = new Affine[d.seq()];
      for (int k = 0; k < d.seq(); k++) {
        int t = reverse ? d.seq() - 1 - k : k;
        Affine xt = SplitConverter.part(x, 0, t, 1).reshape(new int[] {d.batch(), d.input()});
        Affine[] next = step(n, w, d, xt, h, c, base + "/d" + dir + "/t" + t);
        h = next[0];
        c = next[1];
        ys[t] = h;
      }
      hs.add(Arrays.asList(ys));
      finalH.add(h);
      finalC.add(c);
    }
    return outputs(d, hs, finalH, finalC, batchFirst);
  }

  private void refuseUnsupported(OnnxNodeView n) {
    if (n.has("clip")) {
      throw n.unsupported(n.op() + " with clip (a clipped cell is not reproduced)");
    }
    if (n.intOr("input_forget", 0) != 0) {
      throw n.unsupported("LSTM with input_forget=1");
    }
    if (n.has("activation_alpha") || n.has("activation_beta")) {
      throw n.unsupported(n.op() + " activations with alpha/beta parameters");
    }
  }

  private Dims dims(OnnxNodeView n, int[] xs) {
    Tensor w = n.constant(1, "W");
    int dirs = "bidirectional".equals(n.stringOr("direction", "forward")) ? 2 : 1;
    int hidden = (int) n.intOr("hidden_size", w.shape()[1] / cell.gates);
    if (w.shape().length != 3 || w.shape()[0] != dirs || w.shape()[1] != cell.gates * hidden || w.shape()[2] != xs[2]) {
      throw n.error("W has shape " + Arrays.toString(w.shape()) + "; expected [" + dirs + ", " + cell.gates * hidden
          + ", " + xs[2] + "]");
    }
    return new Dims(xs[0], xs[1], xs[2], hidden, dirs);
  }

  private static void checkSequenceLengths(OnnxNodeView n, Dims d) {
    if (!n.hasInput(4)) {
      return;
    }
    for (double len : n.constant(4, "sequence_lens").data()) {
      if (len != d.seq()) {
        throw n.unsupported("sequence_lens " + (long) len + " shorter than the " + d.seq()
            + " steps of the input (padded batches); export with full-length sequences");
      }
    }
  }

  private boolean isReverse(OnnxNodeView n, int dir) {
    String direction = n.stringOr("direction", "forward");
    return switch (direction) {
      case "forward" -> false;
      case "reverse" -> true;
      case "bidirectional" -> dir == 1;
      default -> throw n.error("unknown direction '" + direction + "'");
    };
  }

  /** W, R, B (and P) of direction {@code dir}, split per gate; the activations read from the attribute. */
  private Direction direction(OnnxNodeView n, Dims d, int dir) {
    int h = d.hidden();
    int g = cell.gates;
    double[] w = n.constant(1, "W").data();
    double[] r = n.constant(2, "R").data();
    double[] b = n.hasInput(3) ? n.constant(3, "B").data() : new double[d.dirs() * 2 * g * h];
    if (r.length != d.dirs() * g * h * h || b.length != d.dirs() * 2 * g * h) {
      throw n.error("R or B does not match hidden_size " + h + " and " + d.dirs() + " direction(s)");
    }
    DenseMatrix[] wg = new DenseMatrix[g];
    DenseMatrix[] rg = new DenseMatrix[g];
    double[][] bias = new double[g][];
    double[][] rb = new double[g][];
    for (int k = 0; k < g; k++) {
      int wo = (dir * g + k) * h * d.input();
      wg[k] = new DenseMatrix(h, d.input(), Arrays.copyOfRange(w, wo, wo + h * d.input()));
      int ro = (dir * g + k) * h * h;
      rg[k] = new DenseMatrix(h, h, Arrays.copyOfRange(r, ro, ro + h * h));
      int bo = dir * 2 * g * h;
      bias[k] = new double[h];
      rb[k] = Arrays.copyOfRange(b, bo + (g + k) * h, bo + (g + k + 1) * h);
      for (int i = 0; i < h; i++) {
        bias[k][i] = b[bo + k * h + i] + rb[k][i];
      }
    }
    return new Direction(wg, rg, bias, rb, peepholes(n, d, dir), activations(n, dir));
  }

  /** LSTM's P = [P_i, P_o, P_f] of this direction, or null. */
  private double[][] peepholes(OnnxNodeView n, Dims d, int dir) {
    if (cell != Cell.LSTM || !n.hasInput(7)) {
      return null;
    }
    double[] p = n.constant(7, "P").data();
    int h = d.hidden();
    double[][] out = new double[3][];
    for (int k = 0; k < 3; k++) {
      out[k] = Arrays.copyOfRange(p, (dir * 3 + k) * h, (dir * 3 + k + 1) * h);
    }
    return out;
  }

  private Activation[] activations(OnnxNodeView n, int dir) {
    String[] names = n.strings("activations");
    int per = cell.defaults.length;
    Activation[] act = new Activation[per];
    for (int k = 0; k < per; k++) {
      String name = names == null ? cell.defaults[k] : names[names.length == per ? k : dir * per + k];
      act[k] = switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "sigmoid" -> Activation.SIGMOID;
        case "tanh" -> Activation.TANH;
        case "relu" -> Activation.RELU;
        default -> throw n.unsupported(n.op() + " activation " + name + " (supported: Sigmoid, Tanh, Relu)");
      };
    }
    return act;
  }

  /** The initial h (input 5) or c (input 6) of one direction as a [batch, hidden] value; zero if absent. */
  private static Affine initial(OnnxNodeView n, int input, Dims d, int dir, boolean batchFirst) {
    int[] shape = {d.batch(), d.hidden()};
    if (!n.hasInput(input)) {
      return Affine.constant(shape, new double[d.batch() * d.hidden()]);
    }
    Affine v = n.input(input);
    v = batchFirst ? TransposeConverter.permute(v, new int[] {1, 0, 2}) : v;
    if (!Arrays.equals(v.shape(), new int[] {d.dirs(), d.batch(), d.hidden()})) {
      throw n.error("initial state (input " + input + ") has shape " + Arrays.toString(n.input(input).shape())
          + "; expected " + d.dirs() + " directions, batch " + d.batch() + ", hidden " + d.hidden());
    }
    return SplitConverter.part(v, 0, dir, 1).reshape(shape);
  }

  /** v · M_gᵀ for each row of a [batch, ·] value: the gate's weights repeated over the batch. */
  private static Affine times(Affine v, DenseMatrix m, Dims d) {
    return v.map(Ops.repeat(m, d.batch()), new int[] {d.batch(), m.rows()});
  }

  /** Gate k's preactivation: W_k x_t + R_k h + Wb_k + Rb_k. */
  private static Affine gate(Direction w, int k, Affine xt, Affine h, Dims d) {
    return times(xt, w.w()[k], d).plus(times(h, w.r()[k], d)).plusConstant(tiled(w.bias()[k], d.batch()));
  }

  private static double[] negate(double[] v) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = -out[i];
    }
    return out;
  }

  private static double[] tiled(double[] v, int copies) {
    double[] out = new double[v.length * copies];
    for (int b = 0; b < copies; b++) {
      System.arraycopy(v, 0, out, b * v.length, v.length);
    }
    return out;
  }

  /** One time step: {h_t, c_t} (c_t null except for LSTM). */
  private Affine[] step(OnnxNodeView n, Direction w, Dims d, Affine xt, Affine h, Affine c, String name) {
    return switch (cell) {
      case RNN -> new Affine[] {ActivationConverter.apply(n, gate(w, 0, xt, h, d), w.act()[0], name + "/h"), null};
      case GRU -> new Affine[] {gruStep(n, w, d, xt, h, name), null};
      case LSTM -> lstmStep(n, w, d, xt, h, c, name);
    };
  }

  /** h_t = h̃ + z ⊙ (h_{t−1} − h̃), the ONNX form (1 − z) ⊙ h̃ + z ⊙ h_{t−1} with one product. */
  private Affine gruStep(OnnxNodeView n, Direction w, Dims d, Affine xt, Affine h, String name) {
    Activation f = w.act()[0];
    Activation g = w.act()[1];
    Affine z = gate(w, 0, xt, h, d);
    Affine r = gate(w, 1, xt, h, d);
    Affine cand = times(xt, w.w()[2], d).plusConstant(tiled(w.bias()[2], d.batch()));
    if (n.intOr("linear_before_reset", 0) != 0) {
      // r ⊙ (R_h h + Rb_h): the recurrent bias moves from the sum into the product.
      double[] rb = tiled(w.rb()[2], d.batch());
      cand = cand.plusConstant(negate(rb));
      Affine rh = times(h, w.r()[2], d).plusConstant(rb);
      cand = cand.plus(Nonlinear.product(n, r, f, rh, Activation.IDENTITY, name + "/r_linear"));
    } else {
      Affine rh = Nonlinear.product(n, r, f, h, Activation.IDENTITY, name + "/r_h");
      cand = cand.plus(times(rh, w.r()[2], d));
    }
    Affine ht = ActivationConverter.apply(n, cand, g, name + "/h_candidate");
    Affine diff = h.minus(ht);
    return ht.plus(Nonlinear.product(n, z, f, diff, Activation.IDENTITY, name + "/h"));
  }

  /** c_t = f(g_f) ⊙ c_{t−1} + f(g_i) ⊙ g(g_c), h_t = f(g_o) ⊙ h(c_t); gates in ONNX order i, o, f, c. */
  private Affine[] lstmStep(OnnxNodeView n, Direction w, Dims d, Affine xt, Affine h, Affine c, String name) {
    Activation f = w.act()[0];
    Affine gi = gate(w, 0, xt, h, d);
    Affine go = gate(w, 1, xt, h, d);
    Affine gf = gate(w, 2, xt, h, d);
    Affine gc = gate(w, 3, xt, h, d);
    if (w.peep() != null) {
      gi = gi.plus(c.times(tiled(w.peep()[0], d.batch())));
      gf = gf.plus(c.times(tiled(w.peep()[2], d.batch())));
    }
    Affine keep = Nonlinear.product(n, gf, f, c, Activation.IDENTITY, name + "/f_c");
    Affine write = Nonlinear.product(n, gi, f, gc, w.act()[1], name + "/i_g");
    Affine ct = keep.plus(write);
    if (w.peep() != null) {
      go = go.plus(ct.times(tiled(w.peep()[1], d.batch())));
    }
    return new Affine[] {Nonlinear.product(n, go, f, ct, w.act()[2], name + "/h"), ct};
  }

  /** Y [seq, dirs, batch, hidden], Y_h and Y_c [dirs, batch, hidden], or their layout-1 permutations. */
  private static List<Affine> outputs(Dims d, List<List<Affine>> hs, List<Affine> finalH,
      List<Affine> finalC, boolean batchFirst) {
    List<Affine> steps = new ArrayList<>();
    for (int t = 0; t < d.seq(); t++) {
      for (int dir = 0; dir < d.dirs(); dir++) {
        steps.add(hs.get(dir).get(t));
      }
    }
    Affine y = ConcatConverter.stack(steps, new int[] {d.seq(), d.dirs(), d.batch(), d.hidden()});
    int[] last = {d.dirs(), d.batch(), d.hidden()};
    Affine yh = ConcatConverter.stack(finalH, last);
    List<Affine> out = new ArrayList<>();
    out.add(batchFirst ? TransposeConverter.permute(y, new int[] {2, 0, 1, 3}) : y);
    out.add(batchFirst ? TransposeConverter.permute(yh, new int[] {1, 0, 2}) : yh);
    if (finalC.get(0) != null) {
      Affine yc = ConcatConverter.stack(finalC, last);
      out.add(batchFirst ? TransposeConverter.permute(yc, new int[] {1, 0, 2}) : yc);
    }
    return out;
  }
}
