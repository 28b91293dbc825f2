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
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

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
        zip.write(GSON.toJson(m).getBytes(StandardCharsets.UTF_8));
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
        o.add("geometry", GSON.toJsonTree(g));
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
    } catch (java.util.zip.ZipException e) {
      throw new ModelFormatException(path + ": not a readable zip file (" + e.getMessage() + ")", e);
    } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
        | ClassCastException e) {
      throw new ModelFormatException(path + ": malformed manifest (" + e + ")", e);
    }
  }

  private static final class Reader {
    private final Path path;
    private final ZipFile zip;

    Reader(Path path, ZipFile zip) {
      this.path = path;
      this.zip = zip;
    }

    ImplicitModel model(JsonObject m) throws IOException {
      if (!FORMAT.equals(m.get("format").getAsString())) {
        throw new ModelFormatException(path + ": format '" + m.get("format").getAsString() + "' is not " + FORMAT);
      }
      if (m.get("version").getAsInt() > VERSION) {
        throw new ModelFormatException(path + ": file version " + m.get("version").getAsInt()
            + " is newer than this implicit4j reads (" + VERSION + "); upgrade implicit4j");
      }
      Shape in = Shape.of(intsOf(m.getAsJsonArray("inputShape")));
      Shape out = Shape.of(intsOf(m.getAsJsonArray("outputShape")));
      ImplicitModel.Builder b = ImplicitModel.builder(in, out);
      Map<Integer, Integer> index = new HashMap<>();
      int k = 0;
      for (JsonElement e : m.getAsJsonArray("states")) {
        JsonObject s = e.getAsJsonObject();
        Activation act;
        try {
          act = Activation.parse(s.get("activation").getAsString());
        } catch (IllegalArgumentException ex) {
          throw new ModelFormatException(path + ": state block '" + s.get("name").getAsString() + "': " + ex.getMessage());
        }
        index.put(k, b.addState(s.get("name").getAsString(), Shape.of(intsOf(s.getAsJsonArray("shape"))), act));
        k++;
      }
      int n = m.get("n").getAsInt();
      for (JsonElement e : m.getAsJsonArray("A")) {
        JsonObject o = e.getAsJsonObject();
        b.addA(o.get("row").getAsInt(), o.get("col").getAsInt(), op(o.getAsJsonObject("op")));
      }
      for (JsonElement e : m.getAsJsonArray("B")) {
        JsonObject o = e.getAsJsonObject();
        b.addB(o.get("row").getAsInt(), op(o.getAsJsonObject("op")));
      }
      for (JsonElement e : m.getAsJsonArray("C")) {
        JsonObject o = e.getAsJsonObject();
        b.addC(o.get("col").getAsInt(), op(o.getAsJsonObject("op")));
      }
      for (JsonElement e : m.getAsJsonArray("D")) {
        b.addD(op(e.getAsJsonObject().getAsJsonObject("op")));
      }
      double[] sb = doubles(m.get("stateBias").getAsString(), n);
      for (int i = 0; i < b.stateCount(); i++) {
        StateBlock s = b.state(i);
        b.addStateBias(i, java.util.Arrays.copyOfRange(sb, s.offset(), s.end()));
      }
      b.addOutputBias(doubles(m.get("outputBias").getAsString(), out.size()));
      b.provenance(provenance(m.getAsJsonObject("metadata")));
      ImplicitModel model = b.build();
      if (model.n() != n) {
        throw new ModelFormatException(path + ": manifest says n = " + n + " but the state blocks hold " + model.n());
      }
      return model;
    }

    private Npy.Array read(String entry, long maxValues) throws IOException {
      ZipEntry e = zip.getEntry(entry);
      if (e == null) {
        throw new ModelFormatException(path + ": array entry '" + entry + "' is missing");
      }
      try (InputStream in = zip.getInputStream(e)) {
        return Npy.read(in, path + "!" + entry, maxValues);
      }
    }

    double[] doubles(String entry, long expected) throws IOException {
      Npy.Array a = read(entry, expected);
      if (a.doubles() == null || a.doubles().length != expected) {
        throw new ModelFormatException(path + "!" + entry + ": expected " + expected + " floating-point values");
      }
      return a.doubles();
    }

    int[] ints(String entry, long expected) throws IOException {
      Npy.Array a = read(entry, expected);
      if (a.ints() == null || a.ints().length != expected) {
        throw new ModelFormatException(path + "!" + entry + ": expected " + expected + " int32 values");
      }
      return a.ints();
    }

    LinearOperator op(JsonObject o) throws IOException {
      int rows = o.get("rows").getAsInt();
      int cols = o.get("cols").getAsInt();
      String kind = o.get("kind").getAsString();
      switch (kind) {
        case "dense":
          return new DenseMatrix(rows, cols, doubles(o.get("data").getAsString(), (long) rows * cols));
        case "csr": {
          int[] ptr = ints(o.get("indptr").getAsString(), rows + 1L);
          int nnz = ptr[rows];
          if (nnz < 0) {
            throw new ModelFormatException(path + ": csr block with negative nnz");
          }
          int[] idx = ints(o.get("indices").getAsString(), nnz);
          for (int c : idx) {
            if (c < 0 || c >= cols) {
              throw new ModelFormatException(path + ": csr column index " + c + " outside [0, " + cols + ")");
            }
          }
          return new CsrMatrix(rows, cols, ptr, idx, doubles(o.get("data").getAsString(), nnz));
        }
        case "diagonal":
          return new DiagonalMatrix(doubles(o.get("data").getAsString(), rows));
        case "conv2d": {
          ConvGeometry g = GSON.fromJson(o.get("geometry"), ConvGeometry.class);
          g = new ConvGeometry(g.cin(), g.h(), g.w(), g.cout(), g.oh(), g.ow(), g.kh(), g.kw(), g.strideH(),
              g.strideW(), g.padTop(), g.padLeft(), g.dilH(), g.dilW(), g.groups()); // re-validate
          return new Conv2d(g, doubles(o.get("kernel").getAsString(), g.kernelSize()));
        }
        case "scaled": {
          LinearOperator inner = op(o.getAsJsonObject("inner"));
          double[] l = o.has("left") ? doubles(o.get("left").getAsString(), rows) : null;
          double[] r = o.has("right") ? doubles(o.get("right").getAsString(), cols) : null;
          return ScaledOperator.of(l, inner, r);
        }
        case "sum": {
          List<LinearOperator> t = new ArrayList<>();
          for (JsonElement e : o.getAsJsonArray("terms")) {
            t.add(op(e.getAsJsonObject()));
          }
          return SumOperator.of(t);
        }
        case "product": {
          JsonArray f = o.getAsJsonArray("factors");
          LinearOperator acc = op(f.get(f.size() - 1).getAsJsonObject());
          for (int k = f.size() - 2; k >= 0; k--) {
            acc = ProductOperator.of(op(f.get(k).getAsJsonObject()), acc);
          }
          return acc;
        }
        default:
          throw new ModelFormatException(path + ": unknown operator kind '" + kind
              + "' (expected dense, csr, diagonal, conv2d, scaled, sum, product)");
      }
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
