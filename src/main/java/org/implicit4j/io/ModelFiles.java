package org.implicit4j.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
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
import org.implicit4j.model.Provenance;
import org.implicit4j.model.Shape;
import org.implicit4j.model.StateBlock;

/**
 * The implicit4j model file: a zip (as NumPy's .npz) holding {@code manifest.json} and one .npy
 * per array under {@code arrays/}. The manifest lists the state blocks and, for each of A, B, C, D,
 * the stored blocks as operator trees (dense, csr, diagonal, conv2d, scaled, sum, product) whose
 * leaves name their .npy entries. Arrays are float32 when that is lossless, else float64, so
 * save→load is bit-exact and converted networks stay about the size of their ONNX file.
 * See README.md, "Model file format".
 */
public final class ModelFiles {
  public static final String FORMAT = "implicit4j-model";
  public static final int VERSION = 1;
  private static final String MANIFEST = "manifest.json";
  /** Made on first write: `predict` from an ONNX file asks {@link #isModelFile} but writes nothing. */
  private static final class Json {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  }

  private ModelFiles() {}

  /** True when the file starts like a zip with our manifest; the content decides, not the name. */
  public static boolean isModelFile(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(4);
      if (head.length < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    try (ZipFile z = new ZipFile(path.toFile())) {
      return z.getEntry(MANIFEST) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Saves atomically: a temporary file beside {@code path}, renamed over it when complete. */
  public static void save(ImplicitModel model, Path path) throws IOException {
    AtomicFiles.write(path, out -> {
      try (ZipOutputStream zip = new ZipOutputStream(out)) {
        Writer w = new Writer(zip);
        JsonObject m = new JsonObject();
        m.addProperty("format", FORMAT);
        m.addProperty("version", VERSION);
        m.addProperty("n", model.n());
        m.addProperty("p", model.p());
        m.addProperty("q", model.q());
        m.add("inputShape", ints(model.inputShape().dims()));
        m.add("outputShape", ints(model.outputShape().dims()));
        JsonArray states = new JsonArray();
        for (StateBlock s : model.states()) {
          JsonObject o = new JsonObject();
          o.addProperty("name", s.name());
          o.addProperty("offset", s.offset());
          o.addProperty("size", s.size());
          o.addProperty("activation", s.activation().spec());
          o.add("shape", ints(s.shape().dims()));
          states.add(o);
        }
        m.add("states", states);
        m.add("A", w.blocks(model.a(), "A"));
        m.add("B", w.blocks(model.b(), "B"));
        m.add("C", w.blocks(model.c(), "C"));
        m.add("D", w.blocks(model.d(), "D"));
        m.addProperty("stateBias", w.array("b", model.stateBias()));
        m.addProperty("outputBias", w.array("c", model.outputBias()));
        JsonObject meta = new JsonObject();
        model.provenance().toMap().forEach(meta::addProperty);
        m.add("metadata", meta);
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(Json.GSON.toJson(m).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    });
  }

  private static JsonArray ints(int[] a) {
    JsonArray j = new JsonArray();
    for (int v : a) {
      j.add(v);
    }
    return j;
  }

  /** Serialises operator trees, writing each leaf array as its own .npy entry. */
  private static final class Writer {
    private final ZipOutputStream zip;
    private int next;
    /** Identical arrays (a weight shared by several lazy products, all-ones selections) are stored once. */
    private final Map<String, String> written = new HashMap<>();

    Writer(ZipOutputStream zip) {
      this.zip = zip;
    }

    JsonArray blocks(BlockMatrix m, String name) throws IOException {
      JsonArray a = new JsonArray();
      for (BlockMatrix.Block b : m.blocks()) {
        JsonObject o = new JsonObject();
        o.addProperty("row", b.row());
        o.addProperty("col", b.col());
        o.add("op", op(b.op(), name + "_" + b.row() + "_" + b.col()));
        a.add(o);
      }
      return a;
    }

    String array(String hint, double[] v, int... shape) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      Npy.writeDoubles(b, v, shape.length == 0 ? new int[] {v.length} : shape);
      return entry(hint, b.toByteArray());
    }

    String intArray(String hint, int[] v) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      Npy.writeInts(b, v, v.length);
      return entry(hint, b.toByteArray());
    }

    private String entry(String hint, byte[] npy) throws IOException {
      String key = java.util.Base64.getEncoder().encodeToString(sha256(npy));
      String seen = written.get(key);
      if (seen != null) {
        return seen;
      }
      String entry = "arrays/" + (next++) + "_" + hint + ".npy";
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(npy);
      zip.closeEntry();
      written.put(key, entry);
      return entry;
    }

    private static byte[] sha256(byte[] b) {
      try {
        return java.security.MessageDigest.getInstance("SHA-256").digest(b);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JVM", e);
      }
    }

    JsonObject op(LinearOperator op, String hint) throws IOException {
      JsonObject o = new JsonObject();
      o.addProperty("rows", op.rows());
      o.addProperty("cols", op.cols());
      op.accept(new Fields(o, hint));
      return o;
    }

    /** Writes each operator kind's fields (and arrays) into its manifest entry. */
    private final class Fields implements OperatorVisitor<Void, IOException> {
      private final JsonObject o;
      private final String hint;

      Fields(JsonObject o, String hint) {
        this.o = o;
        this.hint = hint;
      }

      @Override public Void dense(DenseMatrix d) throws IOException {
        o.addProperty("kind", "dense");
        o.addProperty("data", array(hint, d.toArray(), d.rows(), d.cols()));
        return null;
      }

      @Override public Void csr(CsrMatrix c) throws IOException {
        o.addProperty("kind", "csr");
        o.addProperty("indptr", intArray(hint + "_indptr", c.indptrCopy()));
        o.addProperty("indices", intArray(hint + "_indices", c.indicesCopy()));
        o.addProperty("data", array(hint + "_data", c.valuesCopy()));
        return null;
      }

      @Override public Void diagonal(DiagonalMatrix d) throws IOException {
        o.addProperty("kind", "diagonal");
        o.addProperty("data", array(hint, d.diagonal()));
        return null;
      }

      @Override public Void conv2d(Conv2d c) throws IOException {
        ConvGeometry g = c.geometry();
        o.addProperty("kind", "conv2d");
        o.add("geometry", Json.GSON.toJsonTree(g));
        o.addProperty("kernel", array(hint + "_kernel", c.kernelCopy(), g.cout(), g.cinPerGroup(), g.kh(), g.kw()));
        return null;
      }

      @Override public Void scaled(ScaledOperator s) throws IOException {
        o.addProperty("kind", "scaled");
        if (s.left() != null) {
          o.addProperty("left", array(hint + "_left", s.left()));
        }
        if (s.right() != null) {
          o.addProperty("right", array(hint + "_right", s.right()));
        }
        o.add("inner", op(s.inner(), hint));
        return null;
      }

      @Override public Void sum(SumOperator s) throws IOException {
        o.addProperty("kind", "sum");
        o.add("terms", operands(s.terms(), "_t"));
        return null;
      }

      @Override public Void product(ProductOperator p) throws IOException {
        o.addProperty("kind", "product");
        o.add("factors", operands(p.factors(), "_f"));
        return null;
      }

      @Override public Void block(BlockMatrix b) throws IOException {
        // A block matrix nested as one block is stored by value.
        return b.toSparse().accept(this);
      }

      private JsonArray operands(List<LinearOperator> ops, String suffix) throws IOException {
        JsonArray t = new JsonArray();
        for (int k = 0; k < ops.size(); k++) {
          t.add(op(ops.get(k), hint + suffix + k));
        }
        return t;
      }
    }
  }

  /** Loads a model file; every declared size is checked before its array is allocated. */
  public static ImplicitModel load(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new ModelFormatException(path + ": no such file");
    }
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry me = zip.getEntry(MANIFEST);
      if (me == null) {
        throw new ModelFormatException(path + ": not an implicit4j model file (no " + MANIFEST + ")");
      }
      JsonObject m;
      try (InputStream in = zip.getInputStream(me)) {
        m = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
      }
      return new Reader(path, zip).model(m);
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new ModelFormatException(path + ": not a readable zip file (" + e.getMessage() + ")", e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new ModelFormatException(path + ": malformed manifest (" + e.getMessage() + ")", e);
    } catch (org.implicit4j.linalg.DimensionMismatchException | IllegalArgumentException e) {
      throw new ModelFormatException(path + ": inconsistent model (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The most values one array of a model file may declare, and the states a model file may hold:
   * larger declarations are refused before anything is allocated (raise with
   * -Dimplicit4j.maxArrayValues=N).
   */
  static final long MAX_ARRAY_VALUES = Long.getLong("implicit4j.maxArrayValues", 1L << 27);

  private static final class Reader {
    private final Path path;
    private final ZipFile zip;
    private final Manifest mf;

    Reader(Path path, ZipFile zip) {
      this.path = path;
      this.zip = zip;
      this.mf = new Manifest(path);
    }

    ImplicitModel model(JsonObject m) throws IOException {
      String format = mf.string(m, "format", "top level");
      if (!FORMAT.equals(format)) {
        throw new ModelFormatException(path + ": format '" + format + "' is not " + FORMAT);
      }
      int version = mf.integer(m, "version", "top level", 1, Integer.MAX_VALUE);
      if (version > VERSION) {
        throw new ModelFormatException(path + ": file version " + version
            + " is newer than this implicit4j reads (" + VERSION + "); upgrade implicit4j");
      }
      Shape in = Shape.of(mf.shape(m, "inputShape", "top level", MAX_ARRAY_VALUES));
      Shape out = Shape.of(mf.shape(m, "outputShape", "top level", MAX_ARRAY_VALUES));
      int n = mf.integer(m, "n", "top level", 0, MAX_ARRAY_VALUES);
      ImplicitModel.Builder b = ImplicitModel.builder(in, out);
      addStates(b, mf.array(m, "states", "top level"), n);
      addBlocks(b, m, in, out);
      double[] sb = doubles(mf.string(m, "stateBias", "top level"), n);
      for (int i = 0; i < b.stateCount(); i++) {
        StateBlock s = b.state(i);
        b.addStateBias(i, java.util.Arrays.copyOfRange(sb, s.offset(), s.end()));
      }
      b.addOutputBias(doubles(mf.string(m, "outputBias", "top level"), out.size()));
      b.provenance(provenance(m.has("metadata") ? mf.object(m, "metadata", "top level") : null));
      return b.build();
    }

    private void addStates(ImplicitModel.Builder b, JsonArray states, int n) {
      long total = 0;
      for (int k = 0; k < states.size(); k++) {
        JsonObject s = mf.object(states, k, "states");
        String where = "state " + k;
        String name = mf.string(s, "name", where);
        Activation act;
        try {
          act = Activation.parse(mf.string(s, "activation", where));
        } catch (IllegalArgumentException ex) {
          throw new ModelFormatException(path + ": state block '" + name + "': " + ex.getMessage());
        }
        Shape shape = Shape.of(mf.shape(s, "shape", where, MAX_ARRAY_VALUES));
        total += shape.size();
        if (total > n) {
          throw new ModelFormatException(path + ": manifest says n = " + n + " but the state blocks hold more");
        }
        b.addState(name, shape, act);
      }
      if (total != n) {
        throw new ModelFormatException(path + ": manifest says n = " + n + " but the state blocks hold " + total);
      }
    }

    private void addBlocks(ImplicitModel.Builder b, JsonObject m, Shape in, Shape out) throws IOException {
      int k = b.stateCount();
      for (String matrix : List.of("A", "B", "C", "D")) {
        JsonArray blocks = mf.array(m, matrix, "top level");
        for (int i = 0; i < blocks.size(); i++) {
          JsonObject o = mf.object(blocks, i, matrix);
          String where = matrix + " block " + i;
          int row = matrix.equals("A") || matrix.equals("B") ? mf.integer(o, "row", where, 0, k - 1L) : 0;
          int col = matrix.equals("A") || matrix.equals("C") ? mf.integer(o, "col", where, 0, k - 1L) : 0;
          int rows = matrix.equals("A") || matrix.equals("B") ? b.state(row).size() : out.size();
          int cols = matrix.equals("A") || matrix.equals("C") ? b.state(col).size() : in.size();
          LinearOperator op = op(mf.object(o, "op", where), where);
          if (op.rows() != rows || op.cols() != cols) {
            throw new ModelFormatException(path + ": " + where + " is " + op.rows() + " x " + op.cols()
                + " but its place in " + matrix + " is " + rows + " x " + cols);
          }
          switch (matrix) {
            case "A" -> b.addA(row, col, op);
            case "B" -> b.addB(row, op);
            case "C" -> b.addC(col, op);
            default -> b.addD(op);
          }
        }
      }
    }

    private Npy.Array read(String entry, long maxValues) throws IOException {
      ZipEntry e = zip.getEntry(entry);
      if (e == null) {
        throw new ModelFormatException(path + ": array entry '" + entry + "' is missing");
      }
      try (InputStream in = zip.getInputStream(e)) {
        return Npy.read(in, path + "!" + entry, maxValues);
      } catch (java.io.EOFException | java.util.zip.ZipException ex) {
        throw new ModelFormatException(path + "!" + entry + ": damaged compressed data (" + ex.getMessage() + ")");
      }
    }

    /** Floating-point values of exactly the given shape (a vector: one dimension). */
    double[] doubles(String entry, long... shape) throws IOException {
      long count = 1;
      for (long d : shape) {
        count *= d;
      }
      if (count > MAX_ARRAY_VALUES) {
        throw new ModelFormatException(path + "!" + entry + ": declares " + count + " values, more than the "
            + MAX_ARRAY_VALUES + " an array may hold here (-Dimplicit4j.maxArrayValues raises it)");
      }
      Npy.Array a = read(entry, count);
      if (a.doubles() == null || !sameShape(a.shape(), shape)) {
        throw new ModelFormatException(path + "!" + entry + ": expected " + (a.doubles() == null ? "floating-point "
            : "") + "shape " + java.util.Arrays.toString(shape) + ", found " + java.util.Arrays.toString(a.shape())
            + " " + a.dtype());
      }
      return a.doubles();
    }

    private static boolean sameShape(int[] got, long[] want) {
      if (got.length != want.length) {
        return false;
      }
      for (int i = 0; i < got.length; i++) {
        if (got[i] != want[i]) {
          return false;
        }
      }
      return true;
    }

    int[] ints(String entry, long expected) throws IOException {
      if (expected > MAX_ARRAY_VALUES) {
        throw new ModelFormatException(path + "!" + entry + ": declares " + expected + " values, more than "
            + MAX_ARRAY_VALUES);
      }
      Npy.Array a = read(entry, expected);
      if (a.ints() == null || a.ints().length != expected) {
        throw new ModelFormatException(path + "!" + entry + ": expected " + expected + " int32 values");
      }
      return a.ints();
    }

    LinearOperator op(JsonObject o, String where) throws IOException {
      int rows = mf.integer(o, "rows", where, 0, Integer.MAX_VALUE);
      int cols = mf.integer(o, "cols", where, 0, Integer.MAX_VALUE);
      String kind = mf.string(o, "kind", where);
      return switch (kind) {
        case "dense" -> new DenseMatrix(rows, cols, doubles(mf.string(o, "data", where), rows, cols));
        case "csr" -> csr(o, where, rows, cols);
        case "diagonal" -> {
          if (rows != cols) {
            throw new ModelFormatException(path + ": " + where + " is a diagonal block of " + rows + " x " + cols);
          }
          yield new DiagonalMatrix(doubles(mf.string(o, "data", where), rows));
        }
        case "conv2d" -> conv(o, where, rows, cols);
        case "scaled" -> {
          LinearOperator inner = op(mf.object(o, "inner", where), where + " inner");
          double[] l = o.has("left") ? doubles(mf.string(o, "left", where), rows) : null;
          double[] r = o.has("right") ? doubles(mf.string(o, "right", where), cols) : null;
          yield ScaledOperator.of(l, inner, r);
        }
        case "sum", "product" -> combination(o, where, kind);
        default -> throw new ModelFormatException(path + ": " + where + ": unknown operator kind '" + kind
            + "' (expected dense, csr, diagonal, conv2d, scaled, sum, product)");
      };
    }

    private LinearOperator csr(JsonObject o, String where, int rows, int cols) throws IOException {
      int[] ptr = ints(mf.string(o, "indptr", where), rows + 1L);
      for (int i = 0; i < rows; i++) {
        if (ptr[0] != 0 || ptr[i + 1] < ptr[i]) {
          throw new ModelFormatException(path + ": " + where + ": csr indptr is not non-decreasing from 0");
        }
      }
      int nnz = ptr[rows];
      int[] idx = ints(mf.string(o, "indices", where), nnz);
      for (int c : idx) {
        if (c < 0 || c >= cols) {
          throw new ModelFormatException(path + ": " + where + ": csr column index " + c + " outside [0, " + cols + ")");
        }
      }
      return new CsrMatrix(rows, cols, ptr, idx, doubles(mf.string(o, "data", where), nnz));
    }

    private LinearOperator conv(JsonObject o, String where, int rows, int cols) throws IOException {
      JsonObject g = mf.object(o, "geometry", where);
      String gw = where + " geometry";
      int[] v = new int[15];
      String[] keys = {"cin", "h", "w", "cout", "oh", "ow", "kh", "kw", "strideH", "strideW", "padTop", "padLeft",
          "dilH", "dilW", "groups"};
      for (int i = 0; i < keys.length; i++) {
        v[i] = mf.integer(g, keys[i], gw, keys[i].startsWith("pad") ? 0 : 1, 1 << 20);
      }
      ConvGeometry geo;
      try {
        geo = new ConvGeometry(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
            v[14]);
      } catch (org.implicit4j.linalg.DimensionMismatchException e) {
        throw new ModelFormatException(path + ": " + gw + ": " + e.getMessage());
      }
      // Every window must reach the input: at most as many outputs as with (k − 1)·dilation padding at the end.
      if (geo.oh() > ConvGeometry.outputSize(geo.h(), geo.kh(), geo.strideH(), geo.padTop(), (geo.kh() - 1) * geo.dilH(),
          geo.dilH()) || geo.ow() > ConvGeometry.outputSize(geo.w(), geo.kw(), geo.strideW(), geo.padLeft(),
          (geo.kw() - 1) * geo.dilW(), geo.dilW())) {
        throw new ModelFormatException(path + ": " + gw + ": output " + geo.oh() + " x " + geo.ow()
            + " is larger than the padded input allows");
      }
      if ((long) geo.inputSize() != cols || (long) geo.outputSize() != rows) {
        throw new ModelFormatException(path + ": " + gw + " maps " + geo.inputSize() + " to " + geo.outputSize()
            + " values, the block is " + rows + " x " + cols);
      }
      return new Conv2d(geo, doubles(mf.string(o, "kernel", where), geo.cout(), geo.cinPerGroup(), geo.kh(), geo.kw()));
    }

    private LinearOperator combination(JsonObject o, String where, String kind) throws IOException {
      JsonArray parts = mf.array(o, kind.equals("sum") ? "terms" : "factors", where);
      if (parts.isEmpty()) {
        throw new ModelFormatException(path + ": " + where + ": a " + kind + " needs at least one operand");
      }
      List<LinearOperator> ops = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        ops.add(op(mf.object(parts, i, where), where + " " + kind + " " + i));
      }
      if (kind.equals("sum")) {
        return SumOperator.of(ops);
      }
      LinearOperator acc = ops.get(ops.size() - 1);
      for (int i = ops.size() - 2; i >= 0; i--) {
        acc = ProductOperator.of(ops.get(i), acc);
      }
      return acc;
    }
  }

  private static int[] intsOf(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  /** The manifest's "metadata" object as a typed provenance (absent: none). */
  private static Provenance provenance(JsonObject meta) {
    if (meta == null) {
      return Provenance.none();
    }
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : meta.entrySet()) {
      if (!e.getValue().isJsonPrimitive()) {
        throw new ModelFormatException("manifest \"metadata\": \"" + e.getKey() + "\" must be a string");
      }
      m.put(e.getKey(), e.getValue().getAsString());
    }
    try {
      return Provenance.fromMap(m);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("manifest " + e.getMessage());
    }
  }
}
