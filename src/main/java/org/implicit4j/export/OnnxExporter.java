package org.implicit4j.export;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.implicit4j.analysis.WellPosednessAnalysis;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.OperatorVisitor;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.linalg.ScaledOperator;
import org.implicit4j.linalg.SumOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.StateBlock;
import org.implicit4j.report.WellPosedness;

/**
 * Writes an implicit model as an ONNX graph (opset 17, float32; the source network's input and output
 * names and shapes when it came from one, else input "u" [N, p] and output "y" [N, q])
 * that ONNX Runtime runs. A strictly triangular model becomes a plain feed-forward graph (state
 * blocks in forward order; convolutions as Conv, dense blocks as MatMul, sparse blocks as Gathers).
 * Any other model becomes a Loop running a fixed number T of Picard iterations x ← φ(Ax + Bu + b)
 * from x = 0: T = ⌈log(1e-7)/log ‖A‖∞⌉ when ‖A‖∞ &lt; 1 and every activation is non-expansive (so
 * the error is below 1e-7·‖x*‖∞), else the caller's choice (default 500).
 */
public final class OnnxExporter {
  public static final int OPSET = 17;

  private OnnxExporter() {}

  public static void export(ImplicitModel m, Path out) throws IOException {
    export(m, out, 0);
  }

  /** @param iterations Picard iterations for non-triangular models; 0 chooses as described above */
  public static void export(ImplicitModel m, Path out, int iterations) throws IOException {
    OnnxMl.ModelProto proto = toOnnx(m, iterations);
    AtomicFiles.write(out, proto::writeTo);
  }

  /**
   * The number of unrolled Picard steps the Loop runs for {@code m}: {@code requested} when positive;
   * else enough for 1e-7 relative error when ‖A‖∞ &lt; 1 with non-expansive activations; else the
   * Loop may not converge at all, and the export is refused unless the caller chooses the count.
   */
  public static int loopIterations(ImplicitModel m, int requested) {
    if (requested < 0) {
      throw new IllegalArgumentException("--iterations must be \u2265 0 (0: choose), got " + requested);
    }
    if (requested > 0) {
      return requested;
    }
    WellPosedness w = WellPosednessAnalysis.of(m);
    if (w.nonExpansive() && w.normInf() < 1) {
      return (int) Math.min(100_000, Math.max(1, Math.ceil(Math.log(1e-7) / Math.log(Math.max(w.normInf(), 1e-12)))));
    }
    throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "cannot choose the Loop's Picard "
        + "iterations: \u2016A\u2016\u221e = %.4g (%s), so the Picard iteration may not converge and the exported "
        + "graph could output NaN. Rescale the model first (rescale), or give --iterations T", w.normInf(), w.verdict()));
  }

  public static OnnxMl.ModelProto toOnnx(ImplicitModel m, int iterations) {
    if (!m.isStrictlyUpperTriangular()) {
      iterations = loopIterations(m, iterations);
    }
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("implicit4j");
    AtomicInteger names = new AtomicInteger();
    GraphWriter w = new GraphWriter(g, g, names, "");
    String u = input(g, w, m);
    String[] x = new String[m.states().size()];
    if (m.isStrictlyUpperTriangular()) {
      for (int i = m.states().size() - 1; i >= 0; i--) {
        x[i] = activate(w, m.states().get(i), preactivation(w, m, i, x, u));
      }
    } else {
      x = loop(w, m, loopIterations(m, iterations), u);
    }
    List<String> terms = new ArrayList<>();
    for (BlockMatrix.Block c : m.c().blocks()) {
      terms.add(emit(w, c.op(), x[c.col()]));
    }
    for (BlockMatrix.Block d : m.d().blocks()) {
      terms.add(emit(w, d.op(), u));
    }
    terms.add(w.floats("c", m.outputBias(), m.q()));
    output(g, w, m, sum(w, terms));
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("implicit4j").setProducerVersion("0.1.0")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(OPSET)).setGraph(g).build();
  }

  /**
   * The graph input: the source network's input name and per-sample shape when the model came from
   * one ONNX input ("u" otherwise), [N, shape…]; returns the [N, p] tensor the blocks read.
   */
  private static String input(OnnxMl.GraphProto.Builder g, GraphWriter w, ImplicitModel m) {
    List<String> names = m.provenance().onnxInputs();
    String name = names != null && names.size() == 1 ? names.get(0) : "u";
    int[] dims = m.inputShape().dims();
    g.addInput(GraphWriter.floatInfo(name, batched(dims)));
    return dims.length <= 1 ? name : w.node("Reshape", new String[] {name, w.longs("flat", new long[] {-1, m.p()}, 2)});
  }

  /** The graph output, named and shaped as the source network's output when it had one ("y" otherwise). */
  private static void output(OnnxMl.GraphProto.Builder g, GraphWriter w, ImplicitModel m, String flat) {
    List<String> names = m.provenance().onnxOutputs();
    String name = names != null && names.size() == 1 ? names.get(0) : "y";
    int[] dims = m.outputShape().dims();
    String shaped = flat;
    if (dims.length > 1) {
      long[] target = new long[dims.length + 1];
      target[0] = -1;
      for (int i = 0; i < dims.length; i++) {
        target[i + 1] = dims[i];
      }
      shaped = w.node("Reshape", new String[] {flat, w.longs("shape", target, target.length)});
    }
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("output").addInput(shaped).addOutput(name));
    g.addOutput(GraphWriter.floatInfo(name, batched(dims)));
  }

  /** {"N", d₀, d₁, …} for a per-sample shape. */
  private static Object[] batched(int[] dims) {
    Object[] b = new Object[dims.length + 1];
    b[0] = "N";
    for (int i = 0; i < dims.length; i++) {
      b[i + 1] = dims[i];
    }
    return b;
  }

  /** z_i = Σ_j A_ij x_j + B_i u + b_i. */
  private static String preactivation(GraphWriter w, ImplicitModel m, int i, String[] x, String u) {
    StateBlock s = m.states().get(i);
    List<String> terms = new ArrayList<>();
    for (BlockMatrix.Block a : m.a().row(i)) {
      terms.add(emit(w, a.op(), x[a.col()]));
    }
    LinearOperator b = m.b().get(i, 0);
    if (b != null) {
      terms.add(emit(w, b, u));
    }
    double[] bias = java.util.Arrays.copyOfRange(m.stateBias(), s.offset(), s.end());
    terms.add(w.floats("b", bias, s.size()));
    if (terms.size() == 1) {
      // A block with no inputs: broadcast its bias over the batch.
      terms.add(w.node("Mul", new String[] {emit(w, new CsrMatrix(s.size(), m.p(), new int[s.size() + 1],
          new int[0], new double[0]), u), w.floats("zero", new double[] {0}, 1)}));
    }
    return sum(w, terms);
  }

  private static String sum(GraphWriter w, List<String> terms) {
    String acc = terms.get(0);
    for (int k = 1; k < terms.size(); k++) {
      acc = w.node("Add", new String[] {acc, terms.get(k)});
    }
    return acc;
  }

  private static String activate(GraphWriter w, StateBlock s, String z) {
    Activation a = s.activation();
    return apply(w, a, z, s.size());
  }

  private static String apply(GraphWriter w, Activation a, String z, int size) {
    return a.accept(new Activate(w, z, size));
  }

  /** The ONNX nodes computing φ(z) for z of shape [N, size], for each activation kind. */
  private record Activate(GraphWriter w, String z, int size) implements Activation.Visitor<String> {
    @Override public String relu(Activation.Relu a) {
      return w.node("Relu", new String[] {z});
    }

    @Override public String leakyRelu(Activation.LeakyRelu a) {
      return w.node("LeakyRelu", new String[] {z}, GraphWriter.floatAttr("alpha", a.alpha()));
    }

    @Override public String identity(Activation.Identity a) {
      return z;
    }

    @Override public String tanh(Activation.Tanh a) {
      return w.node("Tanh", new String[] {z});
    }

    @Override public String sigmoid(Activation.Sigmoid a) {
      return w.node("Sigmoid", new String[] {z});
    }

    @Override public String exp(Activation.Exp a) {
      return w.node("Exp", new String[] {z});
    }

    @Override public String log(Activation.Log a) {
      return w.node("Log", new String[] {z});
    }

    @Override public String reciprocal(Activation.Reciprocal a) {
      return w.node("Reciprocal", new String[] {z});
    }

    @Override public String sqrt(Activation.Sqrt a) {
      return w.node("Sqrt", new String[] {z});
    }

    @Override public String rsqrt(Activation.Rsqrt a) {
      return w.node("Reciprocal", new String[] {w.node("Sqrt", new String[] {z})});
    }

    @Override public String erf(Activation.Erf a) {
      return w.node("Erf", new String[] {z});
    }

    @Override public String softplus(Activation.Softplus a) {
      return w.node("Softplus", new String[] {z});
    }

    @Override public String hardSigmoid(Activation.HardSigmoid a) {
      return w.node("HardSigmoid", new String[] {z}, GraphWriter.floatAttr("alpha", a.alpha()),
          GraphWriter.floatAttr("beta", a.beta()));
    }

    /** (φa(z₁) ⊙ φb(z₂), 0): the product in the first half, zeros in the unused second half. */
    @Override public String gatedProduct(Activation.GatedProduct gp) {
      int h = size / 2;
      String fa = apply(w, gp.a(), slice(w, z, 0, h), h);
      String fb = apply(w, gp.b(), slice(w, z, h, size), h);
      String prod = w.node("Mul", new String[] {fa, fb});
      String zeros = w.node("Mul", new String[] {fb, w.floats("zero", new double[] {0}, 1)});
      return w.node("Concat", new String[] {prod, zeros}, GraphWriter.intAttr("axis", 1));
    }
  }

  private static String slice(GraphWriter w, String x, int from, int to) {
    return w.node("Slice", new String[] {x, w.longs("starts", new long[] {from}, 1), w.longs("ends", new long[] {to}, 1),
        w.longs("axes", new long[] {1}, 1)});
  }

  /** y = M x for x of shape [N, cols]; returns the [N, rows] tensor. */
  static String emit(GraphWriter w, LinearOperator op, String x) {
    return op.accept(new Emitter(w, x));
  }

  /** The ONNX nodes computing M x, for each operator kind. */
  private record Emitter(GraphWriter w, String x) implements OperatorVisitor<String, RuntimeException> {
    @Override public String dense(DenseMatrix d) {
      double[] t = new double[d.rows() * d.cols()];
      double[] v = d.toArray();
      for (int i = 0; i < d.rows(); i++) {
        for (int j = 0; j < d.cols(); j++) {
          t[j * d.rows() + i] = v[i * d.cols() + j];
        }
      }
      return w.node("MatMul", new String[] {x, w.floats("W", t, d.cols(), d.rows())});
    }

    @Override public String csr(CsrMatrix m) {
      return sparse(w, m, x);
    }

    @Override public String diagonal(DiagonalMatrix d) {
      return w.node("Mul", new String[] {x, w.floats("diag", d.diagonal(), d.rows())});
    }

    @Override public String conv2d(Conv2d c) {
      return conv(w, c, x);
    }

    @Override public String scaled(ScaledOperator s) {
      String in = s.right() == null ? x : w.node("Mul", new String[] {x, w.floats("right", s.right(), s.cols())});
      String out = emit(w, s.inner(), in);
      return s.left() == null ? out : w.node("Mul", new String[] {out, w.floats("left", s.left(), s.rows())});
    }

    @Override public String sum(SumOperator s) {
      List<String> terms = new ArrayList<>();
      for (LinearOperator t : s.terms()) {
        terms.add(emit(w, t, x));
      }
      return OnnxExporter.sum(w, terms);
    }

    @Override public String product(ProductOperator p) {
      String cur = x;
      for (int k = p.factors().size() - 1; k >= 0; k--) {
        cur = emit(w, p.factors().get(k), cur);
      }
      return cur;
    }

    @Override public String block(BlockMatrix b) {
      return sparse(w, b.toSparse(), x);
    }
  }

  private static String conv(GraphWriter w, Conv2d c, String x) {
    ConvGeometry g = c.geometry();
    String img = w.node("Reshape", new String[] {x, w.longs("shape", new long[] {-1, g.cin(), g.h(), g.w()}, 4)});
    int pb = Math.max(0, (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilH() + 1 - g.h() - g.padTop());
    int pr = Math.max(0, (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilW() + 1 - g.w() - g.padLeft());
    String y = w.node("Conv", new String[] {img, w.floats("kernel", c.kernelCopy(), g.cout(), g.cinPerGroup(), g.kh(), g.kw())},
        GraphWriter.ints("pads", g.padTop(), g.padLeft(), pb, pr), GraphWriter.ints("strides", g.strideH(), g.strideW()),
        GraphWriter.ints("dilations", g.dilH(), g.dilW()), GraphWriter.intAttr("group", g.groups()),
        GraphWriter.ints("kernel_shape", g.kh(), g.kw()));
    // Floor division in the pad formula can leave one extra row/column: crop to (oh, ow).
    y = w.node("Slice", new String[] {y, w.longs("starts", new long[] {0, 0}, 2),
        w.longs("ends", new long[] {g.oh(), g.ow()}, 2), w.longs("axes", new long[] {2, 3}, 2)});
    return w.node("Reshape", new String[] {y, w.longs("shape", new long[] {-1, g.outputSize()}, 2)});
  }

  /**
   * A sparse block as a sum of gathers: the k-th stored entry of every row forms one gather with
   * weights; rows with fewer entries read an appended zero column.
   */
  private static String sparse(GraphWriter w, CsrMatrix s, String x) {
    int rows = s.rows();
    int cols = s.cols();
    int[] ptr = s.indptrCopy();
    int[] idx = s.indicesCopy();
    double[] val = s.valuesCopy();
    int width = 0;
    for (int i = 0; i < rows; i++) {
      width = Math.max(width, ptr[i + 1] - ptr[i]);
    }
    String padded = w.node("Pad", new String[] {x, w.longs("pads", new long[] {0, 0, 0, 1}, 4)});
    List<String> terms = new ArrayList<>();
    for (int k = 0; k < Math.max(width, 1); k++) {
      long[] gi = new long[rows];
      double[] gv = new double[rows];
      for (int i = 0; i < rows; i++) {
        int e = ptr[i] + k;
        gi[i] = e < ptr[i + 1] ? idx[e] : cols;
        gv[i] = e < ptr[i + 1] ? val[e] : 0;
      }
      String gathered = w.node("Gather", new String[] {padded, w.longs("idx", gi, rows)}, GraphWriter.intAttr("axis", 1));
      terms.add(w.node("Mul", new String[] {gathered, w.floats("vals", gv, rows)}));
    }
    return sum(w, terms);
  }

  /** x after T Picard steps, as a Loop whose carried value is the whole state [N, n]. */
  private static String[] loop(GraphWriter w, ImplicitModel m, int iterations, String u) {
    int k = m.states().size();
    String kAll = constantTerm(w, m, u);
    String x0 = w.node("Mul", new String[] {kAll, w.floats("zero", new double[] {0}, 1)});
    OnnxMl.GraphProto body = picardStep(w, m, kAll);
    String trip = w.longs("trip_count", new long[] {iterations});
    OnnxMl.TensorProto.Builder cond = OnnxMl.TensorProto.newBuilder().setName(w.fresh("cond")).setDataType(9).addInt32Data(1);
    w.graph.addInitializer(cond);
    String xT = w.fresh("x_final");
    w.graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Loop").setName(xT).addInput(trip).addInput(cond.getName())
        .addInput(x0).addOutput(xT).addAttribute(OnnxMl.AttributeProto.newBuilder().setName("body")
            .setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(body)));
    return blocks(w, m, xT);
  }

  /** K = Bu + b per block, concatenated to [N, n]: computed once, outside the loop. */
  private static String constantTerm(GraphWriter w, ImplicitModel m, String u) {
    List<String> kParts = new ArrayList<>();
    for (int i = 0; i < m.states().size(); i++) {
      StateBlock s = m.states().get(i);
      List<String> terms = new ArrayList<>();
      LinearOperator b = m.b().get(i, 0);
      terms.add(emit(w, b != null ? b : new CsrMatrix(s.size(), m.p(), new int[s.size() + 1], new int[0], new double[0]), u));
      terms.add(w.floats("b", java.util.Arrays.copyOfRange(m.stateBias(), s.offset(), s.end()), s.size()));
      kParts.add(sum(w, terms));
    }
    return kParts.size() == 1 ? kParts.get(0)
        : w.node("Concat", kParts.toArray(new String[0]), GraphWriter.intAttr("axis", 1));
  }

  /** The state [N, n] split into its blocks (the whole tensor when there is one block). */
  private static String[] blocks(GraphWriter w, ImplicitModel m, String x) {
    int k = m.states().size();
    String[] xb = new String[k];
    for (int i = 0; i < k; i++) {
      StateBlock s = m.states().get(i);
      xb[i] = k == 1 ? x : slice(w, x, s.offset(), s.end());
    }
    return xb;
  }

  /** The Loop body: (iteration, condition, x) ↦ (condition, φ(Ax + K)). */
  private static OnnxMl.GraphProto picardStep(GraphWriter w, ImplicitModel m, String kAll) {
    int k = m.states().size();
    OnnxMl.GraphProto.Builder body = OnnxMl.GraphProto.newBuilder().setName("picard_step");
    GraphWriter bw = new GraphWriter(body, w.graph, new AtomicInteger(1_000_000), "loop_");
    body.addInput(scalarInfo("loop_iter", 7));
    body.addInput(scalarInfo("loop_cond_in", 9));
    body.addInput(GraphWriter.floatInfo("loop_x", "N", m.n()));
    String[] xb = blocks(bw, m, "loop_x");
    List<String> next = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      StateBlock s = m.states().get(i);
      List<String> terms = new ArrayList<>();
      for (BlockMatrix.Block a : m.a().row(i)) {
        terms.add(emit(bw, a.op(), xb[a.col()]));
      }
      terms.add(k == 1 ? kAll : slice(bw, kAll, s.offset(), s.end()));
      next.add(activate(bw, s, sum(bw, terms)));
    }
    String xNew = next.size() == 1 ? bw.node("Identity", new String[] {next.get(0)})
        : bw.node("Concat", next.toArray(new String[0]), GraphWriter.intAttr("axis", 1));
    body.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("loop_cond_pass").addInput("loop_cond_in")
        .addOutput("loop_cond_out"));
    body.addOutput(scalarInfo("loop_cond_out", 9));
    body.addOutput(GraphWriter.floatInfo(xNew, "N", m.n()));
    return body.build();
  }

  /** A scalar (rank-0) value of the given ONNX element type. */
  private static OnnxMl.ValueInfoProto scalarInfo(String name, int elemType) {
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType)
            .setShape(OnnxMl.TensorShapeProto.newBuilder()))).build();
  }
}
