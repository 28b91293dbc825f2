package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * StagedAdd's runs (diagonal blocks, staged products added back) against the plain loop, bit for
 * bit: below {@link StagedAdd#FROM} values, staged through scratch, and in C where the library
 * loaded (products rounded before the sum there too); in two arrays, in one array apart, at the
 * same offset (y += d·y), and overlapping (which the C loop must leave to the staged copy).
 */
class StagedAddTest {
  private static final int[] SIZES = {5, StagedAdd.FROM - 1, StagedAdd.FROM, 1001, 16384};

  @Test
  void float32RunsEqualThePlainLoop() {
    Random r = new Random(41);
    for (int n : SIZES) {
      float[] d = floats(r, n);
      float[] x = floats(r, n + 9);
      float[] y = floats(r, n + 4);
      float[] want = y.clone();
      for (int i = 0; i < n; i++) {
        want[3 + i] += d[i] * x[7 + i];
      }
      StagedAdd.addScaled(y, 3, d, x, 7);
      assertArrayEquals(want, y, "d·x into another array, n = " + n);
      float[] plain = y.clone();
      for (int i = 0; i < n; i++) {
        plain[1 + i] += x[2 + i];
      }
      StagedAdd.add(y, 1, x, 2, n);
      assertArrayEquals(plain, y, "x into another array, n = " + n);
      checkOneArray(r, n);
    }
  }

  /**
   * One array: x after y (a state block reading a later one) and the same values; for staged runs
   * also overlapping either way, which the staged copy reads as x was (x before y is where a
   * forward loop, the C one too, would read sums it has already written). Blocks of a state vector
   * are apart or the same, so shorter runs need not.
   */
  private static void checkOneArray(Random r, int n) {
    float[] d = floats(r, n);
    int[][] offsets = n < StagedAdd.FROM ? new int[][] {{2, n + 3}, {2, 2}}
        : new int[][] {{2, n + 3}, {2, 2}, {2, 2 + n / 2}, {2 + n / 2, 2}};
    for (int[] o : offsets) {
      float[] s = floats(r, 2 * n + 5);
      float[] want = s.clone();
      float[] x = s.clone(); // the staged path reads x as it was
      for (int i = 0; i < n; i++) {
        want[o[0] + i] += d[i] * x[o[1] + i];
      }
      StagedAdd.addScaled(s, o[0], d, s, o[1]);
      assertArrayEquals(want, s, "one array, y at " + o[0] + " and x at " + o[1] + ", n = " + n);
    }
  }

  @Test
  void fp64RunsEqualThePlainLoop() {
    Random r = new Random(42);
    for (int n : SIZES) {
      double[] d = r.doubles(n, -2, 2).toArray();
      double[] s = r.doubles(2 * n + 6, -2, 2).toArray();
      double[] want = s.clone();
      for (int i = 0; i < n; i++) {
        want[1 + i] += d[i] * s[n + 5 + i];
      }
      StagedAdd.addScaled(s, 1, d, s, n + 5);
      assertArrayEquals(want, s, "fp64, n = " + n);
      double[] y = r.doubles(n, -2, 2).toArray();
      double[] same = y.clone();
      for (int i = 0; i < n; i++) {
        same[i] += d[i] * same[i];
      }
      StagedAdd.addScaled(y, 0, d, y, 0);
      assertArrayEquals(same, y, "fp64 y += d·y, n = " + n);
    }
  }

  /** Runs the C loop must not take (past the array): the staged path's bounds error, not a crash. */
  @Test
  void runsPastTheArrayFailInJava() {
    assertThrows(ArrayIndexOutOfBoundsException.class,
        () -> StagedAdd.addScaled(new float[300], 150, new float[200], new float[300], 0));
    assertThrows(ArrayIndexOutOfBoundsException.class,
        () -> StagedAdd.add(new float[300], 0, new float[300], 250, 200));
  }

  private static float[] floats(Random r, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (r.nextGaussian() * 3);
    }
    return f;
  }
}
