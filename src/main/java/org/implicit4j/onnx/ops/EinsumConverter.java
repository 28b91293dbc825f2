package org.implicit4j.onnx.ops;

import java.util.Arrays;
import java.util.List;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Activation;
import org.implicit4j.onnx.Affine;
import org.implicit4j.onnx.OnnxNodeView;
import org.implicit4j.onnx.OpConverter;

/**
 * Einsum with one or two operands ("bhqd,bhkd-&gt;bhqk", as exporters write attention; without
 * "-&gt;" the output is numpy's implicit one): every combination of the equation's letters names one term A[..]·B[..] added into
 * one output element. With a constant operand that is a sparse linear map; with two input-dependent
 * operands the terms are product states, summed exactly.
 */
public final class EinsumConverter implements OpConverter {
  @Override
  public List<Affine> lower(OnnxNodeView n) {
    String eq = implicitOutput(withoutEllipsis(n, n.stringOr("equation", "").replace(" ", "")));
    int arrow = eq.indexOf("->");
    String[] ins = eq.substring(0, arrow).split(",", -1);
    String out = eq.substring(arrow + 2);
    if (ins.length != n.inputCount() || ins.length > 2) {
      throw n.unsupported("Einsum '" + eq + "' with " + n.inputCount() + " operands (one or two supported)");
    }
    Affine a = n.input(0);
    Affine b = ins.length == 2 ? n.input(1) : null;
    int[] size = letterSizes(n, eq, ins, a, b);
    int[] outShape = new int[out.length()];
    for (int i = 0; i < outShape.length; i++) {
      outShape[i] = size[out.charAt(i)];
    }
    String letters = distinct(eq.replace(",", "").replace("->", ""));
    int[][] idx = terms(letters, size, ins, out, a, b, n);
    if (b == null) {
      return List.of(a.map(summing(idx[0], idx[2], a.size(), outShape), outShape));
    }
    int[] flat = {idx[0].length};
    Affine prod = Nonlinear.product(n, a.map(CsrMatrix.selection(idx[0], a.size()), flat), Activation.IDENTITY,
        b.map(CsrMatrix.selection(idx[1], b.size()), flat), Activation.IDENTITY, n.outputName(0));
    int[] cols = new int[idx[0].length];
    Arrays.setAll(cols, c -> c);
    return List.of(prod.map(summing(cols, idx[2], cols.length, outShape), outShape));
  }

  /**
   * "..." replaced by letters the equation does not use, one per axis it stands for (right-aligned
   * across operands, as numpy broadcasts them); the output's "..." (or, without "->", the front of
   * the output) gets the longest run.
   */
  private static String withoutEllipsis(OnnxNodeView n, String eq) {
    if (!eq.contains("...")) {
      return eq;
    }
    String[] sides = eq.split("->", -1);
    String[] ins = sides[0].split(",", -1);
    StringBuilder free = new StringBuilder();
    for (char c = 'Z'; c >= 'A' && free.length() < 16; c--) {
      if (eq.indexOf(c) < 0) {
        free.append(c);
      }
    }
    int longest = 0;
    for (int k = 0; k < ins.length; k++) {
      if (ins[k].contains("...")) {
        int axes = n.input(k).rank() - (ins[k].length() - 3);
        if (axes < 0 || axes > free.length()) {
          throw n.error("Einsum operand " + k + " of rank " + n.input(k).rank() + " does not fit '" + ins[k] + "'");
        }
        longest = Math.max(longest, axes);
        ins[k] = ins[k].replace("...", free.substring(free.length() - axes));
      }
    }
    String run = free.substring(free.length() - longest);
    String lhs = String.join(",", ins);
    if (sides.length == 1) {
      return lhs + "->" + run + usedOnce(lhs, run);
    }
    return lhs + "->" + sides[1].replace("...", run);
  }

  /** Without "->", the output is the letters used exactly once, in alphabetical order (numpy's rule). */
  private static String implicitOutput(String eq) {
    if (eq.contains("->")) {
      return eq;
    }
    return eq + "->" + usedOnce(eq, "");
  }

  /** The letters of {@code subscripts} used exactly once and not in {@code skip}, in alphabetical order. */
  private static String usedOnce(String subscripts, String skip) {
    StringBuilder out = new StringBuilder();
    subscripts.chars().filter(Character::isLetter).distinct().sorted()
        .filter(c -> skip.indexOf(c) < 0 && subscripts.chars().filter(d -> d == c).count() == 1)
        .forEach(c -> out.append((char) c));
    return out.toString();
  }

  private static CsrMatrix summing(int[] from, int[] into, int cols, int[] outShape) {
    int rows = org.implicit4j.onnx.Tensor.sizeOf(outShape);
    return CsrMatrix.fromTriples(rows, cols, into, from, Nonlinear.filled(from.length, 1), from.length);
  }

  /** Each letter's dimension, checked to agree wherever the letter appears. */
  private static int[] letterSizes(OnnxNodeView n, String eq, String[] ins, Affine a, Affine b) {
    int[] size = new int[128];
    Arrays.fill(size, -1);
    for (int k = 0; k < ins.length; k++) {
      int[] shape = (k == 0 ? a : b).shape();
      if (shape.length != ins[k].length()) {
        throw n.error("Einsum operand " + k + " has rank " + shape.length + ", the equation '" + eq + "' says "
            + ins[k].length());
      }
      for (int d = 0; d < shape.length; d++) {
        char c = ins[k].charAt(d);
        if (size[c] >= 0 && size[c] != shape[d]) {
          throw n.error("Einsum letter '" + c + "' has sizes " + size[c] + " and " + shape[d]);
        }
        size[c] = shape[d];
      }
    }
    return size;
  }

  private static String distinct(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().distinct().forEach(c -> sb.append((char) c));
    return sb.toString();
  }

  /** For every assignment of the letters: the element of A, of B (or −1) and of the output it touches. */
  private static int[][] terms(String letters, int[] size, String[] ins, String out, Affine a, Affine b,
      OnnxNodeView n) {
    long count = 1;
    for (char c : letters.toCharArray()) {
      count *= size[c];
    }
    n.context().reserveStates(b == null ? 0 : 2 * count, n.name());
    int[][] r = new int[3][(int) count];
    int[] value = new int[128];
    int[] digits = new int[letters.length()];
    for (int t = 0; t < count; t++) {
      for (int i = 0; i < letters.length(); i++) {
        value[letters.charAt(i)] = digits[i];
      }
      r[0][t] = offset(ins[0], value, size);
      r[1][t] = b == null ? -1 : offset(ins[1], value, size);
      r[2][t] = offset(out, value, size);
      for (int i = letters.length() - 1; i >= 0 && ++digits[i] == size[letters.charAt(i)]; i--) {
        digits[i] = 0;
      }
    }
    return r;
  }

  private static int offset(String subscripts, int[] value, int[] size) {
    int at = 0;
    for (char c : subscripts.toCharArray()) {
      at = at * size[c] + value[c];
    }
    return at;
  }
}
