package org.implicit4j.model;

/**
 * A contiguous range of states [offset, offset + size) sharing one activation. {@code name} says
 * where the block came from (e.g. the ONNX tensor it reproduces), {@code shape} its tensor shape.
 */
public record StateBlock(String name, int offset, int size, Activation activation, Shape shape) {
  public StateBlock {
    if (size < 0 || offset < 0) {
      throw new IllegalArgumentException("state block '" + name + "': negative size or offset");
    }
    if (shape == null) {
      shape = Shape.of(size);
    }
    if (shape.size() != size) {
      throw new IllegalArgumentException("state block '" + name + "': shape " + shape + " holds " + shape.size()
          + " values, not " + size);
    }
  }

  public int end() {
    return offset + size;
  }
}
