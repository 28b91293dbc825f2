package org.implicit4j.linalg;

/**
 * One convolution's per-thread buffers for an im2col band or a phase layout, kept between calls so
 * that their zeros (the padding) need writing only once. Which positions hold padding and which
 * hold copied inputs depends only on the geometry and the band, so a buffer last filled for the
 * same band needs only its inputs copied again. On small images the padding writes, a value or two
 * per row, had cost more than the copies (resnet2b's 8×8 layers: zeroing 1,446 of 3,900 samples).
 * Bands larger than {@link #MAX_VALUES} use the shared scratch and are cleared each time.
 */
final class BandBuffers {
  /** Largest band kept per convolution and thread (1 MB of floats). */
  static final int MAX_VALUES = 1 << 18;

  /** A thread's buffer and the band whose padding it holds. */
  static final class Slot {
    Object values;
    long band = -1;
    /** True when the buffer already holds this band's zeros: only the inputs need copying. */
    boolean clean;
  }

  private final ThreadLocal<Slot> local = ThreadLocal.withInitial(Slot::new);

  /**
   * The calling thread's buffer for a band (a key for its output rows and samples), of at least
   * len values, float[] or double[]; null when len exceeds {@link #MAX_VALUES}. The caller writes
   * all of it unless {@link Slot#clean}.
   */
  Slot slot(long band, int len, boolean fp32) {
    if (len > MAX_VALUES) {
      return null;
    }
    Slot s = local.get();
    int have = s.values == null ? -1 : java.lang.reflect.Array.getLength(s.values);
    if (have < len || (s.values instanceof float[]) != fp32) {
      s.values = fp32 ? new float[len] : new double[len];
      s.band = -1;
    }
    s.clean = s.band == band;
    s.band = band;
    return s;
  }
}
