package org.implicit4j.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A tensor shape without the batch dimension, e.g. 1×28×28; values are flattened in C order. */
public record Shape(int[] dims) {
  public Shape {
    dims = dims.clone();
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
      }
    }
  }

  public static Shape of(int... dims) {
    return new Shape(dims);
  }

  /** Parses "1x28x28" (also "1,28,28" or "[1, 28, 28]"). */
  public static Shape parse(String s) {
    String t = s.replaceAll("[\\[\\]\\s]", "");
    if (t.isEmpty()) {
      return of();
    }
    try {
      return new Shape(Arrays.stream(t.split("[x,×]")).mapToInt(Integer::parseInt).toArray());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shape '" + s + "' is not like 1x28x28");
    }
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** Number of values, the product of the dimensions. */
  public int size() {
    long s = 1;
    for (int d : dims) {
      s *= d;
    }
    return Math.toIntExact(s);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }
}
