package org.implicit4j.linalg;

/**
 * y[yo + i] += x[xo + i] (and += d[i]·x[xo + i]) as loops the JIT vectorises. JDK 17's C2
 * vectorises such a loop only when both arrays are indexed with the same offset, which blocks of a
 * state vector and scratch buffers rarely are (measured here: 24 values/ns with equal offsets, 4
 * with different ones). So runs of {@link #FROM} values or more are staged: both copied to offset 0
 * of per-thread scratch (copies run at memory speed), added there, and copied back — 2.4 to 3.8
 * times the direct loop for 256 to 16,384 floats. Where the C library of {@link DirectConv} loaded,
 * such runs are added in C instead, in the arrays themselves ({@link #axpy}; Zen 3, one thread,
 * ResNet-20's 16,384-value residual diagonal, float32: 6.6–7.7 µs a sample staged, 2.6–2.8 in C).
 */
final class StagedAdd {
  /** Shorter runs are added directly: staging costs more than it saves below this. */
  static final int FROM = 128;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    float[] fa = new float[0];
    float[] fb = new float[0];
    double[] da = new double[0];
    double[] db = new double[0];

    void floats(int n) {
      if (fa.length < n) {
        fa = new float[n];
        fb = new float[n];
      }
    }

    void doubles(int n) {
      if (da.length < n) {
        da = new double[n];
        db = new double[n];
      }
    }
  }

  private StagedAdd() {}

  /**
   * Whether the C loop serves: a run that would be staged ({@link #FROM} values or more), the
   * library loaded, both runs inside their arrays (it does not check), and x apart from y or the
   * same values (then y[i] += d[i]·y[i], elementwise).
   */
  private static boolean inC(Object y, int yo, Object x, int xo, int n) {
    if (n < FROM || !DirectConv.available() || yo < 0 || xo < 0) {
      return false;
    }
    boolean inside = (long) yo + n <= java.lang.reflect.Array.getLength(y)
        && (long) xo + n <= java.lang.reflect.Array.getLength(x);
    return inside && (x != y || xo == yo || xo + n <= yo || yo + n <= xo);
  }

  /**
   * y[yo + i] += d[i]·x[xo + i] (y[yo + i] += x[xo + i] when d is null) for i in [0, n), in C;
   * false, having added nothing, when the JVM could not pin an array.
   */
  private static native boolean axpy(float[] y, int yo, float[] d, float[] x, int xo, int n);

  /** {@link #axpy} in double. */
  private static native boolean axpy64(double[] y, int yo, double[] d, double[] x, int xo, int n);

  /** y[yo, yo + n) += x[xo, xo + n). */
  static void add(float[] y, int yo, float[] x, int xo, int n) {
    if (inC(y, yo, x, xo, n) && axpy(y, yo, null, x, xo, n)) {
      return;
    }
    if (n < FROM) {
      for (int i = 0; i < n; i++) {
        y[yo + i] += x[xo + i];
      }
      return;
    }
    Scratch s = SCRATCH.get();
    s.floats(n);
    float[] a = s.fa;
    float[] b = s.fb;
    System.arraycopy(y, yo, a, 0, n);
    System.arraycopy(x, xo, b, 0, n);
    for (int i = 0; i < n; i++) {
      a[i] += b[i];
    }
    System.arraycopy(a, 0, y, yo, n);
  }

  /** y[yo + i] += d[i]·x[xo + i] for i in [0, d.length). */
  static void addScaled(float[] y, int yo, float[] d, float[] x, int xo) {
    int n = d.length;
    if (inC(y, yo, x, xo, n) && axpy(y, yo, d, x, xo, n)) {
      return;
    }
    if (n < FROM) {
      for (int i = 0; i < n; i++) {
        y[yo + i] += d[i] * x[xo + i];
      }
      return;
    }
    Scratch s = SCRATCH.get();
    s.floats(n);
    float[] a = s.fa;
    float[] b = s.fb;
    System.arraycopy(y, yo, a, 0, n);
    System.arraycopy(x, xo, b, 0, n);
    for (int i = 0; i < n; i++) {
      a[i] += d[i] * b[i];
    }
    System.arraycopy(a, 0, y, yo, n);
  }

  /** y[yo + i] += d[i]·x[xo + i] for i in [0, d.length). */
  static void addScaled(double[] y, int yo, double[] d, double[] x, int xo) {
    int n = d.length;
    if (inC(y, yo, x, xo, n) && axpy64(y, yo, d, x, xo, n)) {
      return;
    }
    if (n < FROM) {
      for (int i = 0; i < n; i++) {
        y[yo + i] += d[i] * x[xo + i];
      }
      return;
    }
    Scratch s = SCRATCH.get();
    s.doubles(n);
    double[] a = s.da;
    double[] b = s.db;
    System.arraycopy(y, yo, a, 0, n);
    System.arraycopy(x, xo, b, 0, n);
    for (int i = 0; i < n; i++) {
      a[i] += d[i] * b[i];
    }
    System.arraycopy(a, 0, y, yo, n);
  }
}
