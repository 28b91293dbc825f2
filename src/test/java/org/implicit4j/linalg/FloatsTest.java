package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Floats.round against Java's cast, bit for bit, below {@link Floats#IN_C_FROM} values (Java) and
 * from it (C where the library loaded): values at and beside the halfway points between floats
 * (ties to even), beyond float's range, subnormal in float and in double, signed zeros, infinities
 * and NaN, at offsets into both arrays; the values around the run are left as they were.
 */
class FloatsTest {
  @Test
  void roundingEqualsJavasCastBitForBit() {
    double[] src = values(new Random(3), 3 * Floats.IN_C_FROM + 7);
    for (int n : new int[] {0, 1, Floats.IN_C_FROM - 1, Floats.IN_C_FROM, 3 * Floats.IN_C_FROM}) {
      float[] dst = new float[n + 9];
      java.util.Arrays.fill(dst, -7f);
      Floats.round(src, 5, dst, 4, n);
      for (int i = 0; i < dst.length; i++) {
        float want = i >= 4 && i < 4 + n ? (float) src[5 + i - 4] : -7f;
        // floatToIntBits: one NaN for all, -0 apart from 0
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(dst[i]), "value " + i + " of a run of " + n);
      }
    }
  }

  @Test
  void theLongRunsAreRoundedInC() {
    assumeTrue(DirectConv.available(), "the C library was not built (no gcc) or not loaded");
    double[] src = {1.0 + Math.ulp(1.0f) / 2, 1.0 + 3 * Math.ulp(1.0f) / 2};
    double[] many = new double[Floats.IN_C_FROM];
    for (int i = 0; i < many.length; i++) {
      many[i] = src[i % 2];
    }
    float[] dst = new float[many.length];
    Floats.round(many, 0, dst, 0, many.length);
    // ties to even: 1 + ulp/2 rounds down to 1, 1 + 3ulp/2 up to 1 + 2ulp
    assertEquals(1.0f, dst[0]);
    assertEquals(1.0f + 2 * Math.ulp(1.0f), dst[1]);
  }

  @Test
  void wideningKeepsEveryFloatExactly() {
    float[] f = {1.5f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, 0.1f, 7};
    double[] d = Floats.widened(f, 1, 6);
    assertEquals(6, d.length);
    for (int i = 0; i < d.length; i++) {
      assertEquals(Double.doubleToLongBits(f[1 + i]), Double.doubleToLongBits(d[i]), "value " + (1 + i));
      assertEquals(f[1 + i], (float) d[i], 0f, "round trip of value " + (1 + i));
    }
    assertEquals(0.1f, (float) d[5], 0f); // not 0.1: the float's own value, 0.100000001490116…
    assertTrue(d[5] != 0.1);
    assertThrows(IndexOutOfBoundsException.class, () -> Floats.widened(f, 3, 6));
  }

  @Test
  void runsOutsideTheirArraysAreRefused() {
    assertThrows(IndexOutOfBoundsException.class, () -> Floats.round(new double[300], 1, new float[300], 0, 300));
    assertThrows(IndexOutOfBoundsException.class, () -> Floats.round(new double[300], 0, new float[299], 0, 300));
    assertThrows(IndexOutOfBoundsException.class, () -> Floats.round(new double[300], -1, new float[300], 0, 3));
  }

  /** Random doubles in float's range and beyond, with the edge cases of rounding among them. */
  private static double[] values(Random r, int n) {
    double f = Math.ulp(1.0f);
    double[] edge = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.MIN_VALUE,
        -Double.MIN_NORMAL, Float.MIN_VALUE, Float.MIN_VALUE / 2, Float.MIN_VALUE * 0.75, -Float.MIN_NORMAL * 0.999,
        Float.MAX_VALUE, -Float.MAX_VALUE * (1 + f / 4), Float.MAX_VALUE * (1 + f / 2), Float.MAX_VALUE * 2, 1e300,
        1 + f / 2, 1 + 3 * f / 2, -(1 + f / 2), 1 + f / 2 + Math.ulp(1.0), 1 + f / 2 - Math.ulp(1.0)};
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i % 3 == 0 ? edge[(i / 3) % edge.length] : r.nextGaussian() * Math.pow(10, r.nextInt(80) - 40);
    }
    return v;
  }
}
