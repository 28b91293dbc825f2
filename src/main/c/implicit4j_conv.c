/*
 * Direct convolutions (float32 and fp64) for implicit4j (org.implicit4j.linalg.DirectConv): y += K * x over a
 * batch of samples in C order (cin, h, w) -> (cout, oh, ow), groups 1, dilation 1. Built by Maven
 * when gcc is present (pom.xml, profile native-kernels); without it the Java and OpenBLAS paths run.
 *
 * Why: a strided layer of a small image is a few hundred thousand multiply-adds a sample, too small
 * for a GEMM to pay for its layout (the stride-2 phase split and im2col run at 0.2-0.5 ns a value in
 * Java). Here each output pixel block keeps one vector of output channels per pixel in registers and
 * adds weight-vector * broadcast-input for every tap; a sample is zero-padded once into scratch, or
 * read in place when it needs no padding. The vector width is chosen at load (target_clones:
 * AVX-512, AVX2, baseline x86-64). The file also holds the dense tiles that NativeBlas multiplies
 * in the Java arrays in place (at the end).
 */
#include <jni.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

typedef float f16 __attribute__((vector_size(64)));
typedef float f8 __attribute__((vector_size(32)));
typedef double d8 __attribute__((vector_size(64)));
typedef double d4 __attribute__((vector_size(32)));

enum { CIN, H, W, COUT, CO, KH, KW, SH, SW, PT, PL, OH, OW, GEO };

/*
 * Output pixels a register block holds: 8 vectors of a full register (16 floats, 8 doubles), or 16
 * of half a register when the channels fill only that (CO = NARROW).
 */
#define BLOCK_WIDE 8
#define BLOCK_NARROW 16

/*
 * y[c][oy][ox] += sum over ci, ky, kx of wq[((ci*kh + ky)*kw + kx)*co + c] * xp[ci][oy*sh + ky][ox*sw + kx]
 * for the channels [cb, cb + LANES): xp is the zero-padded input (hp x wp a channel), wq the kernel
 * with the output channel fastest, padded with zero channels to co.
 */
#define KERNEL(NAME, T, VT, LANES, PB)                                                                   \
  static inline __attribute__((always_inline)) void NAME(const T *xp, int hp, int wp, const T *wq,      \
                                                         const int *g, T *y) {                          \
    for (int oy = 0; oy < g[OH]; oy++)                                                                   \
      for (int ox0 = 0; ox0 < g[OW]; ox0 += PB) {                                                        \
        int nb = g[OW] - ox0 < PB ? g[OW] - ox0 : PB;                                                    \
        for (int cb = 0; cb < g[CO]; cb += LANES) {                                                      \
          VT acc[PB];                                                                                    \
          for (int b = 0; b < PB; b++) acc[b] = (VT){0};                                                 \
          for (int ci = 0; ci < g[CIN]; ci++)                                                            \
            for (int ky = 0; ky < g[KH]; ky++) {                                                         \
              const T *xr = xp + ((long)ci * hp + (long)oy * g[SH] + ky) * wp + (long)ox0 * g[SW];       \
              const T *wr = wq + (long)(ci * g[KH] + ky) * g[KW] * g[CO] + cb;                            \
              for (int kx = 0; kx < g[KW]; kx++) {                                                       \
                VT wv;                                                                                   \
                memcpy(&wv, wr + (long)kx * g[CO], sizeof wv);                                           \
                for (int b = 0; b < PB; b++) acc[b] += wv * xr[b * g[SW] + kx];                          \
              }                                                                                          \
            }                                                                                            \
          int ce = g[COUT] - cb < LANES ? g[COUT] - cb : LANES;                                          \
          long plane = (long)g[OH] * g[OW];                                                              \
          for (int c = 0; c < ce; c++) {                                                                 \
            T *yr = y + (cb + c) * plane + (long)oy * g[OW] + ox0;                                       \
            for (int b = 0; b < nb; b++) yr[b] += acc[b][c];                                             \
          }                                                                                              \
        }                                                                                                \
      }                                                                                                  \
  }

KERNEL(kernel_f16, float, f16, 16, BLOCK_WIDE)
KERNEL(kernel_f8, float, f8, 8, BLOCK_NARROW)
KERNEL(kernel_d8, double, d8, 8, BLOCK_WIDE)
KERNEL(kernel_d4, double, d4, 4, BLOCK_NARROW)

/* Rows and columns of the padded input: every tap of every block, the last block's overhang included. */
static int padded_rows(const int *g) { return (g[OH] - 1) * g[SH] + g[KH]; }
static int padded_cols(const int *g, int narrow) {
  int pb = g[CO] == narrow ? BLOCK_NARROW : BLOCK_WIDE;
  return ((g[OW] + pb - 1) / pb * pb - 1) * g[SW] + g[KW];
}

/* xp = the sample's input placed at (pt, pl), zero elsewhere. */
#define PAD(NAME, T)                                                                                     \
  static void NAME(const T *x, const int *g, T *xp, int hp, int wp) {                                    \
    memset(xp, 0, sizeof(T) * g[CIN] * hp * wp);                                                         \
    int c0 = g[PL] > 0 ? g[PL] : 0; /* first padded column holding an input value */                     \
    int i0 = c0 - g[PL];            /* its input column */                                               \
    int n = g[W] - i0 < wp - c0 ? g[W] - i0 : wp - c0;                                                   \
    if (n <= 0) return;                                                                                  \
    for (int ci = 0; ci < g[CIN]; ci++)                                                                  \
      for (int r = 0; r < hp; r++) {                                                                     \
        int iy = r - g[PT];                                                                              \
        if (iy >= 0 && iy < g[H])                                                                        \
          memcpy(xp + ((long)ci * hp + r) * wp + c0, x + ((long)ci * g[H] + iy) * g[W] + i0, sizeof(T) * n); \
      }                                                                                                  \
  }

PAD(pad_f, float)
PAD(pad_d, double)

/* The batch's samples one after another, with the vector width the processor has. */
#define SAMPLES(NAME, T, PADF, WIDE, NARROWK, NARROW)                                                    \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))                          \
  static void NAME(const T *x, long x_stride, const T *wq, const int *g, T *y, long y_stride, int count,  \
                   T *xp) {                                                                              \
    int hp = padded_rows(g), wp = padded_cols(g, NARROW);                                                \
    /* no padding read and every tap inside the image: the kernel reads the sample in place */          \
    int in_place = g[PT] == 0 && g[PL] == 0 && hp <= g[H] && wp <= g[W];                                 \
    for (int s = 0; s < count; s++) {                                                                    \
      const T *xs = x + s * x_stride;                                                                    \
      if (!in_place) PADF(xs, g, xp, hp, wp);                                                            \
      const T *src = in_place ? xs : xp;                                                                 \
      int h = in_place ? g[H] : hp, w = in_place ? g[W] : wp;                                            \
      if (g[CO] == NARROW) NARROWK(src, h, w, wq, g, y + s * y_stride);                                  \
      else WIDE(src, h, w, wq, g, y + s * y_stride);                                                     \
    }                                                                                                    \
  }

SAMPLES(samples_f, float, pad_f, kernel_f16, kernel_f8, 8)
SAMPLES(samples_d, double, pad_d, kernel_d8, kernel_d4, 4)

/*
 * The JNI entry points: y_s += K x_s for count samples. Bounds are checked by the Java caller
 * (DirectConv.multAdd) before the call. False when the padded input could not be allocated.
 */
#define ENTRY(NAME, T, JARRAY, SAMPLESF, NARROW)                                                         \
  JNIEXPORT jboolean JNICALL NAME(JNIEnv *env, jclass cls, JARRAY x, jint x_off, jint x_stride, JARRAY wq, \
                                  jintArray geo, JARRAY y, jint y_off, jint y_stride, jint count) {      \
    (void)cls;                                                                                           \
    int g[GEO];                                                                                          \
    (*env)->GetIntArrayRegion(env, geo, 0, GEO, g);                                                      \
    T *xp = malloc(sizeof(T) * (size_t)g[CIN] * padded_rows(g) * padded_cols(g, NARROW));                \
    if (xp == NULL) return JNI_FALSE;                                                                    \
    jboolean same = (*env)->IsSameObject(env, x, y);                                                     \
    T *yv = (*env)->GetPrimitiveArrayCritical(env, y, NULL);                                             \
    T *xv = same ? yv : (*env)->GetPrimitiveArrayCritical(env, x, NULL);                                 \
    T *wv = (*env)->GetPrimitiveArrayCritical(env, wq, NULL);                                            \
    jboolean ok = yv != NULL && xv != NULL && wv != NULL;                                                \
    if (ok) SAMPLESF(xv + x_off, x_stride, wv, g, yv + y_off, y_stride, count, xp);                      \
    if (wv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, wq, wv, JNI_ABORT);                       \
    if (!same && xv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, x, xv, JNI_ABORT);               \
    if (yv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, yv, 0);                                \
    free(xp);                                                                                            \
    return ok;                                                                                           \
  }

ENTRY(Java_org_implicit4j_linalg_DirectConv_conv, float, jfloatArray, samples_f, 8)
ENTRY(Java_org_implicit4j_linalg_DirectConv_conv64, double, jdoubleArray, samples_d, 4)

/*
 * Dense tiles in place: y_s[c0, c0 + width) += x_s · B for samples s in [0, n), x_s the k values at
 * x_off + s*x_stride of a Java array, B the k x width column tile of the weights at native address
 * w, y_s at y_off + s*y_stride: one cblas_sgemm or cblas_dgemm (called through the address JavaCPP
 * gives, OpenBLAS being loaded by it) with the arrays' own strides as leading dimensions, beta 1,
 * instead of copying x into native memory and the product back (NativeBlas.tiled).
 */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111 };

#define TILE(NAME, T, JARRAY)                                                                            \
  typedef void (*NAME##_fn)(int order, int ta, int tb, int m, int n, int k, T alpha, const T *a, int lda, \
                            const T *b, int ldb, T beta, T *c, int ldc);                                 \
  JNIEXPORT jboolean JNICALL NAME(JNIEnv *env, jclass cls, jlong gemm, JARRAY x, jint x_off, jint x_stride, \
                                  jlong w, jint k, jint n, jint width, JARRAY y, jint y_off, jint y_stride) { \
    (void)cls;                                                                                           \
    jboolean same = (*env)->IsSameObject(env, x, y);                                                     \
    T *yv = (*env)->GetPrimitiveArrayCritical(env, y, NULL);                                             \
    T *xv = same ? yv : (*env)->GetPrimitiveArrayCritical(env, x, NULL);                                 \
    jboolean ok = yv != NULL && xv != NULL;                                                              \
    if (ok)                                                                                              \
      ((NAME##_fn)(intptr_t)gemm)(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, width, k, 1, xv + x_off, \
                                  x_stride, (const T *)(intptr_t)w, width, 1, yv + y_off, y_stride);     \
    if (!same && xv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, x, xv, JNI_ABORT);               \
    if (yv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, yv, 0);                                \
    return ok;                                                                                           \
  }

TILE(Java_org_implicit4j_linalg_NativeBlas_tileInPlace, float, jfloatArray)
TILE(Java_org_implicit4j_linalg_NativeBlas_tileInPlace64, double, jdoubleArray)
