package org.implicit4j.linalg;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * GEMM operands in native memory, so that OpenBLAS reads them where they are.
 *
 * <p>JavaCPP hands a Java array to native code through JNI's Get/Release&lt;Type&gt;ArrayElements,
 * which in HotSpot copies the whole array in and back out on every call — whatever part the GEMM
 * uses. With reused buffers sized for the largest layer that cost dominated the small layers
 * (measured: a 16×1024×144 sgemm took 63 µs from exact arrays, 186 µs from 1M-value arrays and 50 µs
 * from native pointers). Weights are copied once into native memory ({@link #of(float[])}); per-call
 * operands go through per-thread native scratch that copies exactly the values used.
 */
final class NativeMemory {
  private static final ThreadLocal<NativeMemory> LOCAL = ThreadLocal.withInitial(NativeMemory::new);

  /** Scratch slots 0, 1 and 2: [0] doubles, [1] floats. */
  private final Pointer[][] slots = new Pointer[2][3];

  private NativeMemory() {}

  /** This thread's scratch. */
  static NativeMemory scratch() {
    return LOCAL.get();
  }

  /**
   * Alignment of weights in native memory, bytes: a cache line. The C tiles read their panels a
   * 64-byte row at a time, as two 32-byte vectors; malloc gave 16-byte alignment (large blocks at 16
   * past a page), so every row's second vector straddled two lines. 16×256×784 in C, 3 alternations:
   * 86.2, 83.8, 87.4 → 90.0, 88.0, 88.7 GFLOP/s. mnistfc's solve at batch 256, the two layouts
   * alternated in one JVM: float32 on one core faster in 6 of 8 pairs, fp64 on two in 6 of 8,
   * float32 on two level (13 of 24, median ratio 1.00).
   */
  static final int ALIGN = 64;

  /**
   * A native copy of w from a {@link #ALIGN}-byte boundary, held as long as the returned pointer is
   * reachable. The pointer's position is the first value (JavaCPP and {@code address() + position()}
   * both start there).
   */
  static FloatPointer of(float[] w) {
    FloatPointer p = new FloatPointer(w.length + ALIGN / Float.BYTES);
    p.position(toBoundary(p.address(), Float.BYTES));
    return p.put(w);
  }

  /** {@link #of(float[])} for doubles. */
  static DoublePointer of(double[] w) {
    DoublePointer p = new DoublePointer(w.length + ALIGN / Double.BYTES);
    p.position(toBoundary(p.address(), Double.BYTES));
    return p.put(w);
  }

  /** Values of {@code bytes} each from {@code address} to the next {@link #ALIGN}-byte boundary. */
  static long toBoundary(long address, int bytes) {
    return Math.floorMod(-address, ALIGN) / bytes;
  }

  /** Scratch slot 0, 1 or 2 with room for at least len values, floats or doubles (contents undefined). */
  Pointer values(int slot, long len, boolean fp32) {
    Pointer[] kind = slots[fp32 ? 1 : 0];
    Pointer p = kind[slot];
    if (p == null || p.capacity() < len) {
      long capacity = Math.max(len, p == null ? 0 : 2 * p.capacity());
      if (p != null) {
        p.close();
      }
      p = fp32 ? new FloatPointer(capacity) : new DoublePointer(capacity);
      kind[slot] = p;
    }
    return p;
  }

  /** Copies a[0, len) — a float[] or double[] — into scratch slot {@code slot}. */
  Pointer in(int slot, Object a, int len) {
    return in(slot, a, len, len, 0);
  }

  /**
   * Copies a[0, len) into scratch slot {@code slot} from index {@code at}, the slot holding at least
   * {@code capacity} values.
   */
  Pointer in(int slot, Object a, int len, long capacity, long at) {
    Pointer p = values(slot, capacity, a instanceof float[]);
    if (a instanceof float[] f) {
      ((FloatPointer) p).position(at).put(f, 0, len);
    } else {
      ((DoublePointer) p).position(at).put((double[]) a, 0, len);
    }
    return p.position(0);
  }

  /** Copies p[0, len) into dst, a float[] like a FloatPointer p or a double[] like a DoublePointer. */
  static void get(Pointer p, Object dst, int len) {
    if (p instanceof FloatPointer f) {
      f.position(0).get((float[]) dst, 0, len);
    } else {
      ((DoublePointer) p).position(0).get((double[]) dst, 0, len);
    }
  }
}
