package org.implicit4j.dsl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;
import org.implicit4j.Implicit4jException;
import org.implicit4j.api.AttackOptions;
import org.implicit4j.api.DataFiles;
import org.implicit4j.api.Defaults;
import org.implicit4j.api.Implicit;
import org.implicit4j.api.LoadOptions;
import org.implicit4j.api.Prediction;
import org.implicit4j.api.ProgressListener;
import org.implicit4j.api.RobustOptions;
import org.implicit4j.api.SolveOptions;
import org.implicit4j.api.TrainOptions;
import org.implicit4j.api.Trained;
import org.implicit4j.api.VerifyOptions;
import org.implicit4j.dsl.parser.ImplicitBaseVisitor;
import org.implicit4j.dsl.parser.ImplicitLexer;
import org.implicit4j.dsl.parser.ImplicitParser;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Shape;
import org.implicit4j.report.TrainReport;
import org.implicit4j.report.VerificationReport;
import org.implicit4j.report.WellPosedness;

/**
 * Parses a whole script (grammar/Implicit.g4) before running any of it, then executes its
 * statements in order over the fluent API, printing each action's result. Errors carry
 * file:line:col and a caret; a script that fails stops there, so nothing after the failure is
 * written, and every write is atomic.
 */
public final class ScriptRunner {
  private final Path file;
  private final String[] lines;
  private final PrintWriter out;
  private final ProgressListener progress;
  private final Map<String, Implicit> names = new HashMap<>();
  /** Every file the script has read so far, so that no statement writes over one. */
  private final java.util.Set<Path> inputs = new java.util.HashSet<>();
  private int failedChecks;

  private ScriptRunner(Path file, String text, PrintWriter out, ProgressListener progress) {
    this.file = file;
    this.lines = text.split("\r?\n", -1);
    this.out = out;
    this.progress = progress;
  }

  /** Runs a script file; returns the number of failed checks/verifications that did not stop it. */
  public static int run(Path script, PrintWriter out) throws IOException {
    return run(script, out, ProgressListener.none());
  }

  /** Runs a script file, long statements telling {@code progress}. */
  public static int run(Path script, PrintWriter out, ProgressListener progress) throws IOException {
    if (!Files.isRegularFile(script)) {
      throw new java.nio.file.NoSuchFileException(script.toString(), null,
          Files.isDirectory(script) ? "is a directory" : "no such script");
    }
    String text;
    try {
      text = Files.readString(script, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ScriptException(Implicit4jException.Category.BAD_INPUT, script.toString(), 1, 0,
          "the script is not UTF-8 text; save it as UTF-8", null);
    }
    return run(script, text, out, progress);
  }

  /** Runs script text as if read from {@code script} (paths resolve against its folder). */
  public static int run(Path script, String text, PrintWriter out) {
    return run(script, text, out, ProgressListener.none());
  }

  /** As {@link #run(Path, String, PrintWriter)}, long statements (attack, train) telling {@code progress}. */
  public static int run(Path script, String text, PrintWriter out, ProgressListener progress) {
    ScriptRunner r = new ScriptRunner(script, text, out, progress);
    ImplicitParser.ScriptContext tree = r.parse(text);
    r.check(tree);
    Executor ex = r.new Executor();
    for (ImplicitParser.StatementContext st : tree.statement()) {
      ex.visit(st);
    }
    out.flush();
    return r.failedChecks;
  }

  /** Parses only (for round-trip tests and syntax checks). */
  public static ImplicitParser.ScriptContext parse(Path script, String text) {
    return new ScriptRunner(script, text, new PrintWriter(java.io.Writer.nullWriter()), ProgressListener.none()).parse(text);
  }

  /** Deepest parenthesis nesting and most operators in one statement a script may have. */
  static final int MAX_NESTING = 200;
  static final int MAX_OPERATORS = 1000;

  private ImplicitParser.ScriptContext parse(String text) {
    ImplicitLexer lexer = new ImplicitLexer(CharStreams.fromString(text));
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    ImplicitParser parser = new ImplicitParser(tokens);
    BaseErrorListener thrower = new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
          RecognitionException e) {
        String reason = offending instanceof Token t && t.getType() == ImplicitLexer.UNRECOGNIZED
            ? "unexpected character '" + t.getText() + "'" : "syntax error: " + msg.replace("\n", "\\n");
        throw error(Implicit4jException.Category.BAD_INPUT, line, col, reason);
      }
    };
    lexer.removeErrorListeners();
    lexer.addErrorListener(thrower);
    parser.removeErrorListeners();
    parser.addErrorListener(thrower);
    tokens.fill();
    checkSize(tokens.getTokens());
    return parser.script();
  }

  /**
   * Refuses, at the culprit, expressions nested or chained so deeply that parsing them would
   * exhaust the stack: more than {@link #MAX_NESTING} open parentheses, or more than {@link
   * #MAX_OPERATORS} operators in one statement.
   */
  private void checkSize(List<Token> tokens) {
    int depth = 0;
    int operators = 0;
    for (Token t : tokens) {
      switch (t.getText()) {
        case "(" -> depth++;
        case ")" -> depth--;
        case ">>", "+", "-", "*", "," -> operators++;
        case ";" -> operators = 0;
        default -> operators = t.getType() == ImplicitLexer.NEWLINE ? 0 : operators;
      }
      if (depth > MAX_NESTING) {
        throw error(t, "expression nested deeper than " + MAX_NESTING + " parentheses; name its parts in steps");
      }
      if (operators > MAX_OPERATORS) {
        throw error(t, "statement with more than " + MAX_OPERATORS + " operators; name its parts in steps");
      }
    }
  }

  /**
   * Before anything runs: every name is defined before it is used, and every number literal is
   * finite, so a mistake late in a script stops it before its first statement writes a file.
   */
  private void check(ImplicitParser.ScriptContext tree) {
    java.util.Set<String> defined = new java.util.HashSet<>();
    for (ImplicitParser.StatementContext st : tree.statement()) {
      checkNode(st, defined);
      if (st instanceof ImplicitParser.AssignContext a) {
        defined.add(a.name.getText());
      } else if (st instanceof ImplicitParser.TrainContext t) {
        defined.add(t.name.getText());
      }
    }
  }

  private void checkNode(org.antlr.v4.runtime.tree.ParseTree node, java.util.Set<String> defined) {
    if (node instanceof ImplicitParser.ReferenceContext ref && !defined.contains(ref.ID().getText())) {
      throw error(ref, "unknown model '" + ref.ID().getText() + "'" + (defined.isEmpty() ? ""
          : "; defined so far: " + String.join(", ", new java.util.TreeSet<>(defined))));
    }
    if (node instanceof ImplicitParser.NumberContext n) {
      number(n);
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      checkNode(node.getChild(i), defined);
    }
  }

  private ScriptException error(Implicit4jException.Category c, int line, int col, String reason) {
    String src = line >= 1 && line <= lines.length ? lines[line - 1] : null;
    return new ScriptException(c, file.toString(), line, col, reason, src);
  }

  private ScriptException error(Token at, String reason) {
    return error(Implicit4jException.Category.BAD_INPUT, at.getLine(), at.getCharPositionInLine(), reason);
  }

  private ScriptException error(ParserRuleContext at, String reason) {
    return error(at.getStart(), reason);
  }

  static String unquote(Token t) {
    String s = t.getText();
    return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
  }

  /** A path string resolved against the script's folder. */
  private Path path(Token t) {
    try {
      return resolve(unquote(t));
    } catch (java.nio.file.InvalidPathException e) {
      throw error(t, "\"" + unquote(t).replace("\0", "\\0") + "\" is not a valid path (" + e.getReason() + ")");
    }
  }

  private Path resolve(String path) {
    Path p = Path.of(path);
    Path dir = file.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p);
  }

  private Path existing(Token t) {
    Path p = path(t);
    if (!Files.isRegularFile(p)) {
      throw error(t, "file \"" + unquote(t) + "\" not found (looked for " + p + ")");
    }
    inputs.add(p.toAbsolutePath().normalize());
    return p;
  }

  /** A file the script writes: never one it reads. */
  private Path output(Token t) {
    Path p = path(t);
    if (inputs.contains(p.toAbsolutePath().normalize())) {
      throw error(t, "\"" + unquote(t) + "\" is read by this script; writing it would overwrite the source. "
          + "Choose another file");
    }
    return p;
  }

  /** Sizes a script may ask for (identity, zeros, scalar): larger ones are refused before allocating. */
  static final long MAX_SIZE = 1L << 24;

  /** A numeric literal; one that is not finite (1e999) is an error at its place. */
  private double number(ImplicitParser.NumberContext n) {
    double v = Double.parseDouble(n.getText());
    if (!Double.isFinite(v)) {
      throw error(n, "the number " + n.getText() + " is not finite (beyond \u00b11.8e308)");
    }
    return v;
  }

  /** An integer literal that is a size: 1 to {@link #MAX_SIZE}, an error at its place otherwise. */
  private int size(Token t) {
    long v;
    try {
      v = Long.parseLong(t.getText());
    } catch (NumberFormatException e) {
      v = Long.MAX_VALUE;
    }
    if (v < 1 || v > MAX_SIZE) {
      throw error(t, "size " + t.getText() + " is out of range: sizes run from 1 to " + MAX_SIZE);
    }
    return (int) v;
  }

  /** Runs {@code body}; library errors become script errors at {@code at}, keeping their category. */
  private <T> T at(ParserRuleContext at, java.util.concurrent.Callable<T> body) {
    try {
      return body.call();
    } catch (ScriptException e) {
      throw e;
    } catch (Implicit4jException e) {
      throw error(e.category(), at.getStart().getLine(), at.getStart().getCharPositionInLine(), e.getMessage());
    } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
      throw error(at, e.getMessage());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Evaluates expressions to models. */
  private final class Evaluator extends ImplicitBaseVisitor<Implicit> {
    @Override public Implicit visitPrimaryExpr(ImplicitParser.PrimaryExprContext c) { return visit(c.primary()); }

    @Override public Implicit visitParens(ImplicitParser.ParensContext c) { return visit(c.expr()); }

    @Override public Implicit visitCallExpr(ImplicitParser.CallExprContext c) { return visit(c.call()); }

    @Override
    public Implicit visitReference(ImplicitParser.ReferenceContext c) {
      Implicit v = names.get(c.ID().getText());
      if (v == null) {
        throw error(c, "unknown model '" + c.ID().getText() + "'" + (names.isEmpty() ? ""
            : "; defined so far: " + String.join(", ", new java.util.TreeSet<>(names.keySet()))));
      }
      return v;
    }

    @Override
    public Implicit visitCascade(ImplicitParser.CascadeContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      return at(c.expr(1), () -> a.then(b));
    }

    @Override
    public Implicit visitSum(ImplicitParser.SumContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      double beta = c.op.getText().equals("-") ? -1 : 1;
      return at(c.expr(1), () -> Implicit.parallel(a, b).sum(1, beta));
    }

    @Override
    public Implicit visitScale(ImplicitParser.ScaleContext c) {
      double k = number(c.number());
      Implicit a = visit(c.expr());
      return at(c, () -> a.times(k));
    }

    @Override
    public Implicit visitLoadOnnx(ImplicitParser.LoadOnnxContext c) {
      Path p = existing(c.path);
      return at(c, () -> {
        LoadOptions o = LoadOptions.defaults();
        if (c.shape != null) {
          o = o.withInputShape("", Shape.parse(unquote(c.shape)));
        }
        return Implicit.load(p, o);
      });
    }

    @Override
    public Implicit visitLoadModel(ImplicitParser.LoadModelContext c) {
      Path p = existing(c.path);
      return at(c, () -> Implicit.load(p));
    }

    @Override
    public Implicit visitAffine(ImplicitParser.AffineContext c) {
      Path mp = existing(c.matrix);
      Path bp = c.bias == null ? null : existing(c.bias);
      return at(c, () -> {
        double[][] m = DataFiles.readMatrix(mp);
        double[] bias = bp == null ? new double[m.length] : DataFiles.readMatrix(bp)[0];
        return Implicit.affine(m, bias);
      });
    }

    @Override
    public Implicit visitIdentity(ImplicitParser.IdentityContext c) {
      int n = size(c.INT().getSymbol());
      return at(c, () -> Implicit.identity(n));
    }

    @Override
    public Implicit visitZeros(ImplicitParser.ZerosContext c) {
      int r = size(c.rows);
      int k = size(c.cols);
      if ((long) r * k > MAX_SIZE) {
        throw error(c, "zeros(" + r + ", " + k + ") holds " + (long) r * k + " values; at most " + MAX_SIZE);
      }
      return at(c, () -> Implicit.zeros(r, k));
    }

    @Override
    public Implicit visitScalar(ImplicitParser.ScalarContext c) {
      int n = size(c.INT().getSymbol());
      double k = number(c.number());
      return at(c, () -> Implicit.scalar(n, k));
    }

    @Override
    public Implicit visitParallel(ImplicitParser.ParallelContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      return at(c, () -> Implicit.parallel(a, b).separateInputs());
    }

    @Override
    public Implicit visitConcat(ImplicitParser.ConcatContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      return at(c, () -> Implicit.parallel(a, b).concat());
    }

    @Override
    public Implicit visitWeightedSum(ImplicitParser.WeightedSumContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      return at(c, () -> Implicit.parallel(a, b).sum(number(c.number(0)), number(c.number(1))));
    }

    @Override
    public Implicit visitGate(ImplicitParser.GateContext c) {
      Implicit a = visit(c.expr(0));
      Implicit b = visit(c.expr(1));
      Activation pa = c.activation().isEmpty() ? Activation.TANH : activation(c.activation(0));
      Activation pb = c.activation().isEmpty() ? Activation.SIGMOID : activation(c.activation(1));
      return at(c, () -> Implicit.parallel(a, b).product(pa, pb));
    }

    private Activation activation(ImplicitParser.ActivationContext c) {
      try {
        return Activation.parse(c.getText());
      } catch (IllegalArgumentException e) {
        throw error(c, e.getMessage());
      }
    }

    @Override
    public Implicit visitFeedback(ImplicitParser.FeedbackContext c) {
      Implicit a = visit(c.expr(0));
      Implicit loop = c.expr().size() > 1 ? visit(c.expr(1)) : null;
      Implicit through = loop == null ? Implicit.identity(a.model().q()) : loop;
      if (c.gain() instanceof ImplicitParser.ScalarGainContext s) {
        double k = number(s.number());
        return at(c, () -> a.feedback(through, k));
      }
      Path p = existing(((ImplicitParser.MatrixGainContext) c.gain()).STRING().getSymbol());
      double[][] k = at(c.gain(), () -> DataFiles.readMatrix(p));
      return at(c, () -> a.feedback(through, k));
    }

    @Override
    public Implicit visitRescale(ImplicitParser.RescaleContext c) {
      Implicit a = visit(c.expr());
      double k = c.number() == null ? Defaults.KAPPA : number(c.number());
      return at(c, () -> a.rescaled(k));
    }
  }


  /** Executes statements. */
  private final class Executor extends ImplicitBaseVisitor<Void> {
    private final Evaluator eval = new Evaluator();

    @Override
    public Void visitAssign(ImplicitParser.AssignContext c) {
      names.put(c.name.getText(), eval.visit(c.expr()));
      return null;
    }

    @Override
    public Void visitRobust(ImplicitParser.RobustContext c) {
      Implicit v = eval.visit(c.expr());
      StatementOptions o = options(c.option(), "robust", "sigma", "k", "lp", "inputs", "clip");
      if (!o.has("sigma")) {
        throw error(c, "robust needs a box: add sigma \u03c3");
      }
      String text = at(c, () -> {
        RobustOptions ro = RobustOptions.sigma(o.number("sigma", 0)).withLp(o.flag("lp"))
            .withK(o.has("k") ? o.integer("k", 1) : null);
        if (o.has("clip")) {
          double[] clip = o.numbers("clip", 2, 2);
          ro = ro.withClip(clip[0], clip[1]);
        }
        Path in = o.path("inputs");
        double[][] x = in == null ? new double[0][] : DataFiles.readRows(in, v.model().p());
        return v.robustness(x, ro).text();
      });
      out.print(text);
      return null;
    }

    @Override
    public Void visitAttack(ImplicitParser.AttackContext c) {
      Implicit v = eval.visit(c.expr());
      Path data = existing(c.data);
      StatementOptions o = options(c.option(), "attack", "sigma", "method", "k", "clip", "seed", "target", "skip",
          "limit", "scale", "out");
      if (!o.has("sigma")) {
        throw error(c, "attack needs a box: add sigma \u03c3");
      }
      String text = at(c, () -> {
        AttackOptions ao = AttackOptions.of(AttackOptions.Method.parse(o.string("method", "sensitivity")),
            o.number("sigma", 0));
        ao = ao.withKs(o.integers("k", ao.ks())).withSeed(o.integer("seed", (int) Defaults.SEED))
            .withTarget(o.integer("target", -1)).withRows(o.integer("skip", 0), o.integer("limit", 0))
            .withScale(o.number("scale", 1)).withOut(o.path("out")).withProgress(progress);
        if (o.has("clip")) {
          double[] clip = o.numbers("clip", 2, 2);
          ao = ao.withClip(clip[0], clip[1]);
        }
        return v.attack(data, ao).report().text();
      });
      out.print(text);
      return null;
    }

    @Override
    public Void visitTrain(ImplicitParser.TrainContext c) {
      Implicit from = c.expr() == null ? null : eval.visit(c.expr());
      Path data = existing(c.data);
      StatementOptions o = options(c.option(), "train", "states", "layers", "epochs", "batch", "lr", "optimizer",
          "momentum", "kappa", "seed", "loss", "l1", "robust", "freeze", "test", "rows", "testrows", "scale", "curves");
      Trained t = at(c, () -> {
        TrainOptions to = TrainOptions.defaults().withSchedule(o.integer("epochs", 10), o.integer("batch", 100),
            o.number("lr", 1e-3)).withOptimizer(o.string("optimizer", "adam"), o.number("momentum", 0.9))
            .withSeed(o.integer("seed", (int) Defaults.SEED)).withLoss(o.string("loss", "cross-entropy"))
            .withPenalties(o.number("l1", 0), o.number("robust", 0))
            .withData(o.integers("rows", new int[] {0, 0}), o.path("test"), o.integers("testrows", new int[] {0, 0}),
                o.number("scale", 1)).withCurves(o.path("curves"))
            .withFreeze(new java.util.HashSet<>(List.of(o.string("freeze", "").split("\\s*;\\s*"))))
            .withProgress(progress);
        if (o.has("kappa")) {
          to = to.withKappa(o.number("kappa", Defaults.KAPPA));
        }
        to = o.has("layers") ? to.withLayers(o.integers("layers", null)) : to.withStates(o.integer("states", 0));
        return from == null ? Implicit.train(data, to) : from.fineTune(data, to);
      });
      names.put(c.name.getText(), t.model());
      TrainReport.Epoch e = t.report().last();
      out.printf(Locale.ROOT, "train %s: %d epochs, loss %.4f, train accuracy %.4f%s, \u2016A\u2016\u221e %.4f%n",
          c.name.getText(), e.epoch(), e.loss(), e.trainAccuracy(), Double.isNaN(e.testAccuracy()) ? ""
              : String.format(Locale.ROOT, ", test accuracy %.4f", e.testAccuracy()), e.normInf());
      return null;
    }

    private StatementOptions options(List<ImplicitParser.OptionContext> given, String statement, String... known) {
      return new StatementOptions(given, new java.util.LinkedHashSet<>(List.of(known)), statement,
          ScriptRunner.this::error, ScriptRunner.this::resolve);
    }

    @Override
    public Void visitPrint(ImplicitParser.PrintContext c) {
      ImplicitModel m = eval.visit(c.expr()).model();
      out.printf(Locale.ROOT, "%s: n=%d p=%d q=%d%n", c.expr().getText(), m.n(), m.p(), m.q());
      return null;
    }

    @Override
    public Void visitInfo(ImplicitParser.InfoContext c) {
      Implicit v = eval.visit(c.expr());
      ImplicitModel m = v.model();
      WellPosedness w = at(c, v::wellPosedness);
      out.printf(Locale.ROOT, "info %s: n=%d p=%d q=%d blocks=%d normInf=%.6g lambdaPf=%.6g triangular=%s; %s%n",
          c.expr().getText(), m.n(), m.p(), m.q(), m.states().size(), w.normInf(), w.lambdaPf(),
          w.strictlyUpperTriangular(), w.verdict());
      return null;
    }

    @Override
    public Void visitCheck(ImplicitParser.CheckContext c) {
      WellPosedness w = at(c, () -> eval.visit(c.expr()).wellPosedness());
      out.printf(Locale.ROOT, "check %s: %s%n", c.expr().getText(), w.verdict());
      if (!w.wellPosed()) {
        if (c.REQUIRE() != null) {
          throw error(Implicit4jException.Category.CHECK_FAILED, c.getStart().getLine(),
              c.getStart().getCharPositionInLine(), "required well-posedness not shown: " + w.verdict()
                  + "; try rescale(" + c.expr().getText() + ")");
        }
        failedChecks++;
      }
      return null;
    }

    @Override
    public Void visitVerify(ImplicitParser.VerifyContext c) {
      Implicit v = eval.visit(c.expr());
      List<Path> files = new ArrayList<>();
      for (TerminalNode s : c.STRING()) {
        files.add(existing(s.getSymbol()));
      }
      int samples = c.samplesClause() == null ? Defaults.SAMPLES : size(c.samplesClause().INT().getSymbol());
      VerificationReport rep = at(c, () -> v.verifyAgainst(files,
          VerifyOptions.defaults().withSamples(samples).withProgress(progress)));
      String summary = rep.summary() + String.format(Locale.ROOT, " (%d file%s in sequence)", files.size(),
          files.size() == 1 ? "" : "s");
      out.printf(Locale.ROOT, "verify %s: %s%n", c.expr().getText(), summary);
      if (!rep.passed()) {
        throw error(Implicit4jException.Category.CHECK_FAILED, c.getStart().getLine(),
            c.getStart().getCharPositionInLine(), "verification failed: " + summary);
      }
      return null;
    }

    @Override
    public Void visitPredict(ImplicitParser.PredictContext c) {
      Implicit v = eval.visit(c.expr());
      Path in = existing(c.input);
      at(c, () -> {
        double[][] x = DataFiles.readRows(in, v.model().p());
        Prediction s = v.predict(x, SolveOptions.defaults());
        String text = DataFiles.format(s.outputs());
        if (c.output == null) {
          out.print(text);
        } else {
          DataFiles.writeText(output(c.output), text);
          out.printf(Locale.ROOT, "predict %s: %d rows to %s%n", c.expr().getText(), x.length, unquote(c.output));
        }
        out.println("predict " + c.expr().getText() + ": " + s.report());
        return null;
      });
      return null;
    }

    @Override
    public Void visitSave(ImplicitParser.SaveContext c) {
      Implicit v = eval.visit(c.expr());
      Path target = output(c.path);
      at(c, () -> v.save(target));
      out.printf(Locale.ROOT, "saved %s to %s%n", c.expr().getText(), unquote(c.path));
      return null;
    }

    @Override
    public Void visitExport(ImplicitParser.ExportContext c) {
      Implicit v = eval.visit(c.expr());
      Path target = output(c.path);
      at(c, () -> v.exportOnnx(target));
      out.printf(Locale.ROOT, "exported %s to %s%n", c.expr().getText(), unquote(c.path));
      return null;
    }
  }


}
