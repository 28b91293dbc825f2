package org.implicit4j.onnx;

/**
 * A constant tensor read from ONNX: C-order values widened to double, its shape, and whether its
 * element type is an integer (shape arithmetic divides and casts differently).
 */
public record Tensor(int[] shape, double[] data, boolean integer) {
  /** The number of values of {@code shape}; refused (ImportException) beyond what a tensor may hold. */
  public static int sizeOf(int[] shape) {
    long s = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new ImportException("a tensor of shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
      }
      s *= d;
      if (s > OnnxTensors.MAX_ACTIVATION_VALUES) {
        throw new ImportException("a tensor of shape " + java.util.Arrays.toString(shape) + " holds more than "
            + OnnxTensors.MAX_ACTIVATION_VALUES + " values; too large to hold");
      }
    }
    return (int) s;
  }

  public int size() {
    return data.length;
  }

  /** The values as longs (for shape arithmetic). */
  public long[] longs() {
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (long) data[i];
    }
    return l;
  }
}
