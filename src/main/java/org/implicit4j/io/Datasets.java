package org.implicit4j.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Labelled data sets: CSV with the label in the first column (then the input flattened in C order),
 * or the IDX files of (Fashion-)MNIST, gzipped or not, pixels scaled to [0, 1].
 */
public final class Datasets {
  /** Refuse data sets declaring more values than this (2³¹ − 1 minus headroom) before allocating. */
  static final long MAX_VALUES = 1L << 30;

  private Datasets() {}

  /** Inputs (one row each) and their integer labels. */
  public record Labelled(double[][] x, int[] labels) {
    public int size() {
      return labels.length;
    }
  }

  /** A width not known in advance: taken from the file (the first CSV data row, or the IDX image size). */
  public static final int ANY_WIDTH = -1;

  /**
   * Reads {@code file} ({@code width} inputs a sample, or {@link #ANY_WIDTH}): IDX when its name contains "idx" (the labels file is found beside it by
   * replacing "images-idx3" with "labels-idx1"), CSV otherwise.
   */
  public static Labelled read(Path file, int width) throws IOException {
    String name = file.getFileName().toString();
    if (name.contains("idx")) {
      Path labels = file.resolveSibling(name.replace("images-idx3", "labels-idx1"));
      if (labels.equals(file) || !Files.isRegularFile(labels)) {
        throw new ModelFormatException(file + ": an IDX images file needs its labels beside it (" + labels.getFileName()
            + ")");
      }
      return idx(file, labels, width);
    }
    return csv(file, width);
  }

  /** CSV rows "label,u_1,…,u_width" (read as {@link Csv#forEachRow} does: header, BOM and comments skipped). */
  public static Labelled csv(Path file, int expected) throws IOException {
    int[] width = {expected};
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    Csv.forEachRow(file, (parts, no) -> {
      if (width[0] == ANY_WIDTH) {
        width[0] = parts.length - 1;
      }
      if (parts.length != width[0] + 1) {
        throw new ModelFormatException(file + " line " + no + ": " + parts.length + " values, expected the label and "
            + width[0] + " inputs");
      }
      labels.add(label(parts[0].strip(), file, no));
      rows.add(Csv.numbers(parts, 1, width[0], file, no));
    });
    if (rows.isEmpty()) {
      throw new ModelFormatException(file + ": no data rows");
    }
    return new Labelled(rows.toArray(new double[0][]), labels.stream().mapToInt(Integer::intValue).toArray());
  }

  private static int label(String s, Path file, int line) {
    try {
      double d = Double.parseDouble(s);
      if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) d;
    } catch (NumberFormatException e) {
      throw new ModelFormatException(file + " line " + line + " column 1: label '" + s
          + "' is not a non-negative integer");
    }
  }


  /** IDX: big-endian magic (0, 0, type 0x08 = unsigned byte, rank), dims, then the bytes. */
  static Labelled idx(Path images, Path labels, int expected) throws IOException {
    try (DataInputStream im = open(images); DataInputStream lb = open(labels)) {
      int[] idims = header(im, images);
      int[] ldims = header(lb, labels);
      long per = 1;
      for (int d = 1; d < idims.length; d++) {
        per *= idims[d];
      }
      int width = expected == ANY_WIDTH ? (int) Math.min(per, Integer.MAX_VALUE) : expected;
      if (per != width) {
        throw new ModelFormatException(images + ": images of " + per + " pixels, the model takes " + width + " inputs");
      }
      if (ldims.length != 1 || ldims[0] != idims[0]) {
        throw new ModelFormatException(labels + ": " + (ldims.length == 1 ? ldims[0] : -1) + " labels for " + idims[0]
            + " images in " + images.getFileName());
      }
      if ((long) idims[0] * per > MAX_VALUES) {
        throw new ModelFormatException(images + ": declares " + idims[0] + " x " + per + " values; too many to hold");
      }
      double[][] x = new double[idims[0]][width];
      int[] y = new int[idims[0]];
      byte[] row = new byte[width];
      for (int i = 0; i < x.length; i++) {
        im.readFully(row);
        for (int j = 0; j < width; j++) {
          x[i][j] = (row[j] & 0xff) / 255.0;
        }
        y[i] = lb.readUnsignedByte();
      }
      return new Labelled(x, y);
    } catch (EOFException e) {
      throw new ModelFormatException(images + ": truncated IDX data");
    }
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    if (p.getFileName().toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
  }

  private static int[] header(DataInputStream in, Path p) throws IOException {
    int magic = in.readInt();
    if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
      throw new ModelFormatException(p + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int rank = magic & 0xff;
    if (rank < 1 || rank > 4) {
      throw new ModelFormatException(p + ": IDX rank " + rank + " is not supported");
    }
    int[] dims = new int[rank];
    for (int d = 0; d < rank; d++) {
      dims[d] = in.readInt();
      if (dims[d] < 0) {
        throw new ModelFormatException(p + ": negative IDX dimension " + dims[d]);
      }
    }
    return dims;
  }
}
