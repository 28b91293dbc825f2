package org.implicit4j.io;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy .npy (format 1.0) for little-endian float64, float32 and int32 arrays in C order, so that
 * model files read with {@code numpy.load} alone.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?[a-z]\\d+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** A read array: values widened to double, with its dtype and shape. */
  public record Array(String dtype, int[] shape, double[] doubles, int[] ints) {}

  private Npy() {}

  /** Writes doubles as float32 when every value survives the round trip, float64 otherwise. */
  public static void writeDoubles(OutputStream out, double[] v, int... shape) throws IOException {
    boolean f32 = true;
    for (double d : v) {
      if ((double) (float) d != d && !Double.isNaN(d)) {
        f32 = false;
        break;
      }
    }
    ByteBuffer buf = ByteBuffer.allocate(v.length * (f32 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
    if (f32) {
      for (double d : v) {
        buf.putFloat((float) d);
      }
    } else {
      for (double d : v) {
        buf.putDouble(d);
      }
    }
    writeRaw(out, f32 ? "<f4" : "<f8", shape, buf.array());
  }

  public static void writeInts(OutputStream out, int[] v, int... shape) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int d : v) {
      buf.putInt(d);
    }
    writeRaw(out, "<i4", shape, buf.array());
  }

  /**
   * A float32 (rows × cols) .npy written row by row into a temporary file beside the target; {@link
   * #commit()} moves it into place, closing without commit deletes it, so no partial file is left.
   */
  public static final class RowWriter implements AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final OutputStream out;
    private final int rows;
    private final int cols;
    private final ByteBuffer row;
    private int written;

    public RowWriter(Path target, int rows, int cols) throws IOException {
      this.target = target.toAbsolutePath();
      this.tmp = AtomicFiles.temporaryBeside(this.target);
      this.out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
      this.rows = rows;
      this.cols = cols;
      this.row = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
      writeHeader(out, "<f4", new int[] {rows, cols});
    }

    /** Appends one row of {@code cols} values, as float32. */
    public void write(double[] v) throws IOException {
      if (v.length != cols || written == rows) {
        throw new IllegalStateException("row " + written + " of " + rows + " has " + v.length + " values, not " + cols);
      }
      row.clear();
      for (double d : v) {
        row.putFloat((float) d);
      }
      out.write(row.array());
      written++;
    }

    /** Moves the complete file into place. */
    public void commit() throws IOException {
      if (written != rows) {
        throw new IllegalStateException(target + ": " + written + " of " + rows + " rows written");
      }
      out.close();
      AtomicFiles.keepPermissions(target, tmp);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
      out.close();
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeRaw(OutputStream out, String descr, int[] shape, byte[] data) throws IOException {
    writeHeader(out, descr, shape);
    out.write(data);
  }

  private static void writeHeader(OutputStream out, String descr, int[] shape) throws IOException {
    StringBuilder sh = new StringBuilder();
    for (int d : shape) {
      sh.append(d).append(", ");
    }
    if (shape.length > 1) {
      sh.setLength(sh.length() - 2);
    }
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + sh + "), }";
    int total = MAGIC.length + 2 + 2 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    out.write(MAGIC);
    out.write(new byte[] {1, 0});
    int len = header.length();
    out.write(new byte[] {(byte) (len & 0xff), (byte) (len >> 8)});
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Reads one .npy; the declared shape is checked against {@code maxValues} before anything is
   * allocated, so a corrupt header cannot exhaust the heap.
   */
  public static Array read(InputStream in, String name, long maxValues) throws IOException {
    String header = readHeader(in, name);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new ModelFormatException(name + ": .npy header '" + header.trim() + "' lacks descr, fortran_order or shape");
    }
    if (o.group(1).equals("True")) {
      throw new ModelFormatException(name + ": Fortran-order arrays are not supported; save with C order");
    }
    String descr = d.group(1);
    int width = switch (descr) {
      case "<f8" -> 8;
      case "<f4", "<i4" -> 4;
      default -> throw new ModelFormatException(name + ": dtype " + descr + " not supported (use <f8, <f4 or <i4)");
    };
    int[] shape = shape(s.group(1), name);
    int n = checkedCount(shape, name, maxValues);
    byte[] raw = in.readNBytes(n * width);
    if (raw.length != n * width) {
      throw new ModelFormatException(name + ": truncated, " + raw.length + " of " + (n * width) + " data bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (descr.equals("<i4")) {
      int[] v = new int[n];
      buf.asIntBuffer().get(v);
      return new Array(descr, shape, null, v);
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = width == 8 ? buf.getDouble() : buf.getFloat();
    }
    return new Array(descr, shape, v, null);
  }

  /** The magic, version and header dictionary text. */
  private static String readHeader(InputStream in, String name) throws IOException {
    byte[] magic = in.readNBytes(8);
    if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
      throw new ModelFormatException(name + ": not a .npy array (bad magic)");
    }
    int headerLen;
    if (magic[6] == 1) {
      byte[] l = in.readNBytes(2);
      headerLen = l.length < 2 ? -1 : (l[0] & 0xff) | (l[1] & 0xff) << 8;
    } else {
      byte[] l = in.readNBytes(4);
      headerLen = l.length < 4 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
    if (headerLen < 0 || headerLen > 1 << 20) {
      throw new ModelFormatException(name + ": .npy header length " + headerLen + " is not plausible");
    }
    return new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
  }

  /** The shape tuple's dimensions; each must be a non-negative integer that fits an int. */
  private static int[] shape(String tuple, String name) {
    String[] parts = Arrays.stream(tuple.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toArray(String[]::new);
    int[] shape = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      long dim;
      try {
        dim = Long.parseLong(parts[i]);
      } catch (NumberFormatException e) {
        throw new ModelFormatException(name + ": shape (" + tuple + ") has '" + parts[i] + "', not an integer");
      }
      if (dim < 0 || dim > Integer.MAX_VALUE) {
        throw new ModelFormatException(name + ": dimension " + dim + " in shape (" + tuple + ") is out of range");
      }
      shape[i] = (int) dim;
    }
    return shape;
  }

  /** The number of values, refused before allocation when above {@code maxValues}. */
  private static int checkedCount(int[] shape, String name, long maxValues) {
    long count = 1;
    for (int dim : shape) {
      count *= dim;
      if (count > maxValues || count > Integer.MAX_VALUE - 16) {
        throw new ModelFormatException(name + ": declared shape " + Arrays.toString(shape) + " holds more than the "
            + maxValues + " values expected");
      }
    }
    return (int) count;
  }

  /** Bytes of one array, for tests and for embedding. */
  public static byte[] toBytes(double[] v, int... shape) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      writeDoubles(b, v, shape);
      return b.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
