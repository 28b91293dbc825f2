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

  /** A native copy of w, held as long as the returned pointer is reachable. */
  static FloatPointer of(float[] w) {
    return new FloatPointer(w);
  }

  /** A native copy of w, held as long as the returned pointer is reachable. */
  static DoublePointer of(double[] w) {
    return new DoublePointer(w);
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
