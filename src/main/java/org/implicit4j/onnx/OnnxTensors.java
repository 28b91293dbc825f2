package org.implicit4j.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Decodes ONNX TensorProtos (inline, raw or external data) into {@link Tensor}s. */
public final class OnnxTensors {
  /** Upper bound on the values of one initializer we agree to allocate (weights). */
  public static final long MAX_TENSOR_VALUES = 1L << 26;

  /**
   * Upper bound on the values of one computed tensor (an activation, a padded or pooled value): 2²²,
   * ten times YOLO's largest, so that a graph of such tensors stays within a 1 GB heap.
   */
  public static final long MAX_ACTIVATION_VALUES = 1L << 22;

  private OnnxTensors() {}

  /**
   * @param modelDir the folder external data must stay inside (null: external data refused)
   * @param what names the tensor in errors, e.g. "initializer 'conv1.weight'"
   */
  public static Tensor decode(OnnxMl.TensorProto t, Path modelDir, String what) throws IOException {
    int[] shape = shape(t, what);
    int n = (int) java.util.Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
    int type = t.getDataType();
    boolean integer = switch (type) {
      case 1, 10, 11, 16 -> false; // float, float16, double, bfloat16
      case 2, 3, 4, 5, 6, 7, 9, 12, 13 -> true; // (u)int8/16/32/64, bool
      default -> throw new ImportException(what + ": element type " + type + " not supported");
    };
    ByteString raw = t.getRawData();
    if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
      raw = external(t, modelDir, what, (long) n * width(type, what));
    }
    double[] v = raw.isEmpty() ? typedValues(t, n, what) : rawValues(raw, type, n, what);
    return new Tensor(shape, v, integer);
  }

  /** The declared dimensions, refused before allocation when invalid or too large. */
  private static int[] shape(OnnxMl.TensorProto t, String what) {
    int[] shape = new int[t.getDimsCount()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = t.getDims(i);
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new ImportException(what + ": dimension " + d + " is not valid");
      }
      shape[i] = (int) d;
      count *= Math.max(d, 1);
      if (count > MAX_TENSOR_VALUES) {
        throw new ImportException(what + ": declared shape " + t.getDimsList() + " holds more than "
            + MAX_TENSOR_VALUES + " values; refusing to allocate it");
      }
    }
    return shape;
  }

  /** Little-endian raw bytes of the element type. */
  private static double[] rawValues(ByteString raw, int type, int n, String what) {
    long need = (long) n * width(type, what);
    if (raw.size() != need) {
      throw new ImportException(what + ": raw data has " + raw.size() + " bytes, shape needs " + need);
    }
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (type) {
        case 1 -> b.getFloat();
        case 11 -> b.getDouble();
        case 10 -> halfToFloat(b.getShort());
        case 16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        case 2 -> b.get() & 0xff;
        case 3 -> b.get();
        case 9 -> b.get() != 0 ? 1 : 0;
        case 4 -> b.getShort() & 0xffff;
        case 5 -> b.getShort();
        case 6 -> b.getInt();
        case 12 -> b.getInt() & 0xffffffffL;
        case 7, 13 -> (double) b.getLong();
        default -> throw new ImportException(what + ": element type " + type + " not supported");
      };
    }
    return v;
  }

  /** The typed repeated fields (float_data, double_data, int64_data, uint64_data, int32_data). */
  private static double[] typedValues(OnnxMl.TensorProto t, int n, String what) {
    int type = t.getDataType();
    int have = switch (type) {
      case 1 -> t.getFloatDataCount();
      case 11 -> t.getDoubleDataCount();
      case 7 -> t.getInt64DataCount();
      case 13, 12 -> t.getUint64DataCount();
      default -> t.getInt32DataCount();
    };
    if (have != n) {
      throw new ImportException(what + ": holds " + have + " values, shape " + t.getDimsList() + " needs " + n);
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (type) {
        case 1 -> t.getFloatData(i);
        case 11 -> t.getDoubleData(i);
        case 7 -> (double) t.getInt64Data(i);
        case 13, 12 -> (double) t.getUint64Data(i);
        case 10 -> halfToFloat((short) t.getInt32Data(i));
        case 16 -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16); // bfloat16 bits, as for float16
        default -> t.getInt32Data(i);
      };
    }
    return v;
  }

  /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float f = mant * 0x1p-24f;
      return sign != 0 ? -f : f;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static int width(int type, String what) {
    return switch (type) {
      case 1, 6, 12 -> 4;
      case 11, 7, 13 -> 8;
      case 10, 16, 4, 5 -> 2;
      case 2, 3, 9 -> 1;
      default -> throw new ImportException(what + ": element type " + type + " not supported");
    };
  }

  /** Reads external data, refusing any location that leaves the model's own folder. */
  /** An external-data offset or length: a non-negative decimal integer, else refused naming the field. */
  private static long externalNumber(String v, String field, String what) {
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new ImportException(what + ": external data " + field + " '" + v + "' is not a non-negative integer");
  }

  private static ByteString external(OnnxMl.TensorProto t, Path modelDir, String what, long expected)
      throws IOException {
    String location = null;
    long offset = 0;
    long length = -1;
    for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = externalNumber(e.getValue(), "offset", what);
        case "length" -> length = externalNumber(e.getValue(), "length", what);
        default -> { }
      }
    }
    if (location == null) {
      throw new ImportException(what + ": external data without a location");
    }
    if (modelDir == null) {
      throw new ImportException(what + ": external data '" + location + "' but the model was not read from a file");
    }
    Path rel;
    try {
      rel = Path.of(location);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ImportException(what + ": external data location '" + location.replace("\0", "\\0")
          + "' is not a valid path (" + e.getReason() + ")");
    }
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || location.contains("..")) {
      throw new ImportException(what + ": external data location '" + location
          + "' leaves the model's folder; only files inside " + modelDir + " are read");
    }
    Path dir = modelDir.toRealPath();
    Path file = dir.resolve(rel).normalize();
    if (!file.startsWith(dir) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        || !file.toRealPath().startsWith(dir)) {
      throw new ImportException(what + ": external data location '" + location
          + "' is not a regular file inside " + modelDir + " (links are refused)");
    }
    long len = length >= 0 ? length : expected;
    if (len != expected || offset < 0 || len > Files.size(file) || offset > Files.size(file) - len) {
      throw new ImportException(what + ": external data '" + location + "' offset " + offset + " length " + len
          + " does not fit the file or the declared shape (" + expected + " bytes)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(offset);
      return ByteString.copyFrom(in.readNBytes((int) len));
    }
  }
}
