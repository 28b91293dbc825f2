/*
 * Direct convolutions (float32 and fp64) for implicit4j (org.implicit4j.linalg.DirectConv): y += K * x over a
 * batch of samples in C order (cin, h, w) -> (cout, oh, ow), one group or depthwise (a group a
 * channel; DirectConv runs other grouped layers a group at a time), dilation 1. Built by Maven
 * when gcc is present (pom.xml, profile native-kernels); without it the Java and OpenBLAS paths run.
 *
 * Why: a strided layer of a small image is a few hundred thousand multiply-adds a sample, too small
 * for a GEMM to pay for its layout (the stride-2 phase split and im2col run at 0.2-0.5 ns a value in
 * Java); and without AVX-512 OpenBLAS has no small-matrix kernels, so every small GEMM call packs
 * both operands (Zen 3: ResNet-20's layers at 15-57 GFLOP/s a core). Here each block of output
 * pixels keeps one vector of output channels per pixel in registers and adds weight-vector *
 * broadcast-input for every tap; a sample is zero-padded once into scratch, or read in place when
 * it needs no padding. The kernels are compiled for AVX-512, AVX2 and baseline x86-64, with register
 * blocks for each, and chosen at the call (vector_bits). 3x3 stride-1 layers of 16+ channels run as
 * Winograd F(2x2, 3x3) (WINO_KERNEL). The file also holds StagedAdd's elementwise runs (AXPY) and
 * the dense tiles that NativeBlas multiplies in the Java arrays in place (at the end).
 */
#include <jni.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

typedef float f16 __attribute__((vector_size(64)));
typedef float f8 __attribute__((vector_size(32)));
typedef double d8 __attribute__((vector_size(64)));
typedef double d4 __attribute__((vector_size(32)));

enum { CIN, H, W, COUT, CO, KH, KW, SH, SW, PT, PL, OH, OW, DEPTHWISE, WINOGRAD, GEO };

/* Tiles a Winograd block holds at most (WINO_KERNEL's TB), for its scratch. */
enum { WINO_TILES = 16 };

/*
 * Register blocks, per instruction set: PB output pixels by NV vectors of output channels. AVX-512
 * (32 registers): 8 pixels of one 16-float (8-double) vector, or 16 pixels of a half vector when the
 * channels fill only that (CO = NARROW). AVX2 and baseline (16 registers): 6 pixels of two 8-float
 * (4-double) vectors, or 12 pixels of one, so that 12 accumulators, the weights and a broadcast fit;
 * the AVX-512 block split into 256-bit halves spills (Zen 3, ResNet-20: 4x slower).
 */

/*
 * y[c][p] += sum over ci, ky, kx of wq[((ci*kh + ky)*kw + kx)*co + c] * xp[ci][oy*sh + ky][ox*sw + kx]
 * for the channels [cb, cb + NV*LANES) and output pixels p = oy*ow + ox in [from, to): xp is the zero-padded input
 * (hp x wp a channel), wq the kernel with the output channel fastest, padded with zero channels to
 * co. A block is PB consecutive pixels of the flattened output, across rows, so that an 8x8 image
 * fills its blocks; each pixel keeps its own input offset. The last block repeats the last pixel
 * (read, not written).
 */
#define KERNEL(NAME, T, VT, LANES, NV, PB)                                                               \
  static inline __attribute__((always_inline)) void NAME(const T *xp, int hp, int wp, const T *wq,      \
                                                         const int *g, T *y, long from, long to) {      \
    long plane = (long)g[OH] * g[OW];                                                                    \
    for (long p0 = from; p0 < to; p0 += PB) {                                                            \
      int nb = to - p0 < PB ? (int)(to - p0) : PB;                                                       \
      long base[PB];                                                                                     \
      for (int b = 0; b < PB; b++) {                                                                     \
        long p = p0 + b < to ? p0 + b : to - 1;                                                          \
        base[b] = p / g[OW] * g[SH] * wp + p % g[OW] * g[SW];                                            \
      }                                                                                                  \
      for (int cb = 0; cb < g[CO]; cb += NV * LANES) {                                                   \
        VT acc[PB][NV];                                                                                  \
        for (int b = 0; b < PB; b++)                                                                     \
          for (int v = 0; v < NV; v++) acc[b][v] = (VT){0};                                              \
        for (int ci = 0; ci < g[CIN]; ci++)                                                              \
          for (int ky = 0; ky < g[KH]; ky++) {                                                           \
            const T *xr = xp + ((long)ci * hp + ky) * wp;                                                \
            const T *wr = wq + (long)(ci * g[KH] + ky) * g[KW] * g[CO] + cb;                              \
            for (int kx = 0; kx < g[KW]; kx++) {                                                         \
              VT wv[NV];                                                                                 \
              for (int v = 0; v < NV; v++) memcpy(&wv[v], wr + (long)kx * g[CO] + v * LANES, sizeof(VT)); \
              for (int b = 0; b < PB; b++) {                                                             \
                T xv = xr[base[b] + kx];                                                                 \
                for (int v = 0; v < NV; v++) acc[b][v] += wv[v] * xv;                                    \
              }                                                                                          \
            }                                                                                            \
          }                                                                                              \
        int ce = g[COUT] - cb < NV * LANES ? g[COUT] - cb : NV * LANES;                                  \
        for (int c = 0; c < ce; c++) {                                                                   \
          T *yr = y + (cb + c) * plane + p0;                                                             \
          for (int b = 0; b < nb; b++) yr[b] += acc[b][c / LANES][c % LANES];                            \
        }                                                                                                \
      }                                                                                                  \
    }                                                                                                    \
  }

KERNEL(kernel_f16x1, float, f16, 16, 1, 8)
KERNEL(kernel_f8x1w, float, f8, 8, 1, 16)
KERNEL(kernel_f8x2, float, f8, 8, 2, 6)
KERNEL(kernel_f8x1, float, f8, 8, 1, 12)
KERNEL(kernel_d8x1, double, d8, 8, 1, 8)
KERNEL(kernel_d4x1w, double, d4, 4, 1, 16)
KERNEL(kernel_d4x2, double, d4, 4, 2, 6)
KERNEL(kernel_d4x1, double, d4, 4, 1, 12)

/*
 * The same sums for rows whose width is a multiple of LANES, the other way round: a vector holds
 * LANES consecutive output pixels of one channel, a block NP such runs (across rows) by MC channels,
 * each tap one unaligned load of input pixels per run and one broadcast weight per channel. The
 * sums then add into y as whole vectors, where the channel-vector blocks above add pixel by pixel
 * (Zen 3, AVX2: 15-20% of a 3x3 layer's time; 2x for a 3->8 stride-2 layer, whose 27 taps do not
 * outweigh its 8 scalar adds a pixel). Stride 1 reads rows of wp values as they are (ph = 0);
 * stride 2 reads rows laid out by PHASE_PAD, ph even columns then the odd ones (ph > 0), where the
 * taps of LANES consecutive output pixels are again LANES consecutive values. A run belongs to the
 * pixel range [from, to) that holds its first pixel.
 */
#define KERNEL_PV(NAME, T, VT, LANES, NP, MC)                                                            \
  static inline __attribute__((always_inline)) void NAME(const T *xp, int hp, int wp, int ph,          \
                                                         const T *wq, const int *g, T *y, long from,    \
                                                         long to) {                                     \
    long plane = (long)g[OH] * g[OW];                                                                    \
    long r_from = (from + LANES - 1) / LANES, r_to = (to + LANES - 1) / LANES;                           \
    for (long r0 = r_from; r0 < r_to; r0 += NP) {                                                        \
      int nr = r_to - r0 < NP ? (int)(r_to - r0) : NP;                                                   \
      long base[NP];                                                                                     \
      for (int j = 0; j < NP; j++) {                                                                     \
        long p = (r0 + j < r_to ? r0 + j : r_to - 1) * LANES;                                            \
        base[j] = p / g[OW] * g[SH] * wp + p % g[OW];                                                    \
      }                                                                                                  \
      for (int c0 = 0; c0 < g[COUT]; c0 += MC) {                                                         \
        VT acc[MC][NP];                                                                                  \
        for (int m = 0; m < MC; m++)                                                                     \
          for (int j = 0; j < NP; j++) acc[m][j] = (VT){0};                                              \
        for (int ci = 0; ci < g[CIN]; ci++)                                                              \
          for (int ky = 0; ky < g[KH]; ky++) {                                                           \
            const T *xr = xp + ((long)ci * hp + ky) * wp;                                                \
            const T *wr = wq + (long)(ci * g[KH] + ky) * g[KW] * g[CO] + c0;                              \
            for (int kx = 0; kx < g[KW]; kx++) {                                                         \
              int kc = ph ? (kx & 1) * ph + (kx >> 1) : kx; /* the tap's column from the run's */     \
              VT xv[NP];                                                                                 \
              _Pragma("GCC unroll 8") for (int j = 0; j < NP; j++)                                       \
                memcpy(&xv[j], xr + base[j] + kc, sizeof(VT));                                           \
              _Pragma("GCC unroll 8") for (int m = 0; m < MC; m++) {                                     \
                T wv = wr[(long)kx * g[CO] + m];                                                         \
                _Pragma("GCC unroll 8") for (int j = 0; j < NP; j++) acc[m][j] += xv[j] * wv;            \
              }                                                                                          \
            }                                                                                            \
          }                                                                                              \
        _Pragma("GCC unroll 8") for (int m = 0; m < MC; m++)                                             \
          for (int j = 0; j < nr && c0 + m < g[COUT]; j++) {                                             \
            T *yr = y + (c0 + m) * plane + (r0 + j) * LANES;                                             \
            VT yv;                                                                                       \
            memcpy(&yv, yr, sizeof(VT));                                                                 \
            yv += acc[m][j];                                                                             \
            memcpy(yr, &yv, sizeof(VT));                                                                 \
          }                                                                                              \
      }                                                                                                  \
    }                                                                                                    \
  }

KERNEL_PV(kernel_pv_f8, float, f8, 8, 3, 4)
KERNEL_PV(kernel_pv_d4, double, d4, 4, 3, 4)

/*
 * Depthwise layers (a group a channel, one output channel each; DEPTHWISE set): y[c][p] += sum over
 * ky, kx of w[(c*kh + ky)*kw + kx] * xp[c][oy*sh + ky][ox*sw + kx], the kernel as ONNX stores it,
 * for the output pixels p in [from, to), one channel c at a time: xc its plane, wp values a row
 * (zero-padded a plane at a time when the layer pads, so that it stays in L1), wc its taps, yc its
 * output. A stride-1 row runs in blocks of NV vectors of LANES consecutive output pixels (each tap
 * one unaligned load a vector and one broadcast weight), then 2 vectors and 1; a stride-2 row in
 * single vectors (DEPTHWISE_RUN2); then pixels 4 and 1 at a time, as every pixel of other strides.
 * As a GEMM per group, a depthwise layer was 1-row products, 0.3-2 GFLOP/s (Zen 3, MobileNet-like
 * 3x3 layers).
 */
#define DEPTHWISE_KERNEL(NAME, T, VT, LANES, NV, EVENS)                                                  \
  static inline __attribute__((always_inline)) void NAME(const T *xc, int wp, const T *wc, const int *g, \
                                                         T *yc, long from, long to) {                   \
    int oy = (int)(from / g[OW]), ox = (int)(from % g[OW]);                                              \
    for (long p = from; p < to; oy++, ox = 0) {                                                          \
      int end = to - p < g[OW] - ox ? ox + (int)(to - p) : g[OW]; /* this row's part of the range */     \
      p += end - ox;                                                                                     \
      const T *xr = xc + (long)oy * g[SH] * wp;                                                          \
      T *yr = yc + (long)oy * g[OW];                                                                     \
      if (g[SW] == 1) {                                                                                  \
        DEPTHWISE_RUN(T, VT, LANES, NV)                                                                  \
        DEPTHWISE_RUN(T, VT, LANES, 2)                                                                   \
        DEPTHWISE_RUN(T, VT, LANES, 1)                                                                   \
      } else if (g[SW] == 2) {                                                                           \
        DEPTHWISE_RUN2(T, VT, LANES, EVENS)                                                              \
      }                                                                                                  \
      DEPTHWISE_PIXELS(T, 4)                                                                             \
      DEPTHWISE_PIXELS(T, 1)                                                                             \
    }                                                                                                    \
  }

/* Blocks of NP output pixels one at a time (any stride), NP sums side by side to hide the FMA latency. */
#define DEPTHWISE_PIXELS(T, NP)                                                                          \
  for (; ox + NP <= end; ox += NP) {                                                                     \
    T sum[NP] = {0};                                                                                     \
    for (int ky = 0; ky < g[KH]; ky++)                                                                   \
      for (int kx = 0; kx < g[KW]; kx++) {                                                               \
        T wv = wc[ky * g[KW] + kx];                                                                      \
        const T *xs = xr + (long)ky * wp + (long)ox * g[SW] + kx;                                        \
        for (int b = 0; b < NP; b++) sum[b] += wv * xs[(long)b * g[SW]];                                 \
      }                                                                                                  \
    for (int b = 0; b < NP; b++) yr[ox + b] += sum[b];                                                   \
  }

/* Blocks of NV vectors of consecutive output pixels of a stride-1 row, from ox while they fit before end. */
#define DEPTHWISE_RUN(T, VT, LANES, NV)                                                                  \
  for (; ox + NV * LANES <= end; ox += NV * LANES) {                                                     \
    VT acc[NV];                                                                                          \
    for (int v = 0; v < NV; v++) acc[v] = (VT){0};                                                       \
    for (int ky = 0; ky < g[KH]; ky++)                                                                   \
      for (int kx = 0; kx < g[KW]; kx++) {                                                               \
        T wv = wc[ky * g[KW] + kx];                                                                      \
        const T *xs = xr + (long)ky * wp + ox + kx;                                                      \
        for (int v = 0; v < NV; v++) {                                                                   \
          VT xv;                                                                                         \
          memcpy(&xv, xs + v * LANES, sizeof(VT));                                                       \
          acc[v] += xv * wv;                                                                             \
        }                                                                                                \
      }                                                                                                  \
    for (int v = 0; v < NV; v++) {                                                                       \
      VT yv;                                                                                             \
      memcpy(&yv, yr + ox + v * LANES, sizeof(VT));                                                      \
      yv += acc[v];                                                                                      \
      memcpy(yr + ox + v * LANES, &yv, sizeof(VT));                                                      \
    }                                                                                                    \
  }

/*
 * Stride 2: a vector of LANES output pixels of a row reads every other input value from 2*LANES - 1
 * of them, as the even lanes of one vector and the odd lanes of the next one loaded a value earlier
 * (so that no load reads past the last value used), picked by EVENS.
 */
#define DEPTHWISE_RUN2(T, VT, LANES, EVENS)                                                              \
  for (; ox + LANES <= end; ox += LANES) {                                                               \
    VT acc = (VT){0};                                                                                    \
    for (int ky = 0; ky < g[KH]; ky++)                                                                   \
      for (int kx = 0; kx < g[KW]; kx++) {                                                               \
        const T *xs = xr + (long)ky * wp + 2L * ox + kx;                                                 \
        VT lo, hi;                                                                                       \
        memcpy(&lo, xs, sizeof(VT));                                                                     \
        memcpy(&hi, xs + LANES - 1, sizeof(VT));                                                         \
        acc += __builtin_shuffle(lo, hi, EVENS) * wc[ky * g[KW] + kx];                                   \
      }                                                                                                  \
    VT yv;                                                                                               \
    memcpy(&yv, yr + ox, sizeof(VT));                                                                    \
    yv += acc;                                                                                           \
    memcpy(yr + ox, &yv, sizeof(VT));                                                                    \
  }

typedef int i8 __attribute__((vector_size(32)));
typedef long long l4 __attribute__((vector_size(32)));

DEPTHWISE_KERNEL(depthwise_f, float, f8, 8, 4, ((i8){0, 2, 4, 6, 9, 11, 13, 15}))
DEPTHWISE_KERNEL(depthwise_d, double, d4, 4, 4, ((l4){0, 2, 5, 7}))

/*
 * Winograd F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016,
 * section 4.1), for 3x3 stride-1 layers of one group (WINOGRAD set): each 2x2 block of output
 * pixels, a tile, is Y = A^T [sum over ci of U_ci (.) V_ci] A with V = B^T d B of the tile's 4x4
 * padded input d and U = G g G^T of the 3x3 kernel g (DirectConv.winogradKernel, in Java, in
 * double): 16 multiplies a tile and channel pair instead of 36. The sums over ci are 16 matrix
 * products, one per position xi of the 4x4 transform, M_xi[co][t] = sum over ci of U_xi[co][ci]
 * V_xi[ci][t], over a block of TB tiles (flattened row by row) whose transforms stay in L1: v holds
 * them as [xi][ci][TB], each xi (CIN + 1) * TB apart (so that the 16 that a tile writes do not share
 * a cache set), m as [co][xi][TB], u as [xi][CO / 4][ci][4] (co padded with zero channels to CO, a
 * multiple of 4). Each padded row is stored as its even columns then its odd ones (PHASE_PAD), so
 * that a run of tiles reads its inputs as whole vectors. The padded input has 2 * ceil(oh/2) + 2
 * rows and columns likewise, so every tile reads inside it; only the output pixels inside the image
 * and in [from, to) are added to.
 */

/*
 * xp = the sample's input placed at (pt, pl) (both >= 0), zero elsewhere; a row as wh even then wh
 * odd columns: for the Winograd tiles and the stride-2 pixel vectors (KERNEL_PV).
 */
#define PHASE_PAD(NAME, T, VT, LANES, EV, OD)                                                            \
  static inline __attribute__((always_inline)) void NAME(const T *x, const int *g, T *xp, int hp, int wh) { \
    memset(xp, 0, sizeof(T) * g[CIN] * hp * 2 * wh);                                                     \
    int n = g[W] < 2 * wh - g[PL] ? g[W] : 2 * wh - g[PL]; /* input columns inside the padded row */     \
    for (int ci = 0; ci < g[CIN]; ci++)                                                                  \
      for (int r = g[PT]; r < hp && r - g[PT] < g[H]; r++) {                                             \
        const T *xr = x + ((long)ci * g[H] + r - g[PT]) * g[W];                                          \
        T *row = xp + ((long)ci * hp + r) * 2 * wh;                                                      \
        /* input column ix lands at padded column ix + pl: the even input columns on one side */         \
        T *ev = g[PL] % 2 ? row + wh + g[PL] / 2 : row + g[PL] / 2;                                      \
        T *od = g[PL] % 2 ? row + (g[PL] + 1) / 2 : row + wh + g[PL] / 2;                                \
        int j = 0;                                                                                       \
        for (; 2 * j + 2 * LANES <= n; j += LANES) {                                                     \
          VT lo, hi;                                                                                     \
          memcpy(&lo, xr + 2 * j, sizeof(VT));                                                           \
          memcpy(&hi, xr + 2 * j + LANES, sizeof(VT));                                                   \
          VT e = __builtin_shuffle(lo, hi, EV), o = __builtin_shuffle(lo, hi, OD);                       \
          memcpy(ev + j, &e, sizeof(VT));                                                                \
          memcpy(od + j, &o, sizeof(VT));                                                                \
        }                                                                                                \
        if (2 * j + LANES <= n) { /* half a vector each way: rows of 8 floats */                         \
          VT v;                                                                                          \
          memcpy(&v, xr + 2 * j, sizeof(VT));                                                            \
          VT e = __builtin_shuffle(v, v, EV), o = __builtin_shuffle(v, v, OD);                           \
          memcpy(ev + j, &e, sizeof(VT) / 2);                                                            \
          memcpy(od + j, &o, sizeof(VT) / 2);                                                            \
          j += LANES / 2;                                                                                \
        }                                                                                                \
        for (int ix = 2 * j; ix < n; ix++) (ix % 2 ? od : ev)[ix / 2] = xr[ix];                          \
      }                                                                                                  \
  }

/*
 * V = B^T d B for the tiles [a, b) of tile row ty, channel by channel, at v[xi * (cin + 1) * TB +
 * ci * TB + tx]: runs of LANES tiles as vectors (WINO_INPUT_RUN, whole vectors then half ones), the rest
 * one at a time. Rows k of the tile: e_k[tx] = d_k[2 tx], o_k[tx] = d_k[2 tx + 1].
 */
#define WINO_INPUT(NAME, T, VT, LANES, HT, HALF, TB)                                                     \
  static inline __attribute__((always_inline)) void NAME(const T *xp, int hp, int wh, int cin, int ty,  \
                                                         int a, int b, T *v) {                          \
    for (int ci = 0; ci < cin; ci++) {                                                                   \
      const T *e[4], *o[4];                                                                              \
      for (int k = 0; k < 4; k++) {                                                                      \
        e[k] = xp + ((long)ci * hp + 2 * ty + k) * 2 * wh;                                               \
        o[k] = e[k] + wh;                                                                                \
      }                                                                                                  \
      T *vc = v + (long)ci * TB;                                                                         \
      int tx = a;                                                                                        \
      WINO_INPUT_RUN(T, VT, LANES, TB)                                                                    \
      WINO_INPUT_RUN(T, HT, HALF, TB)                                                                     \
      WINO_INPUT_RUN(T, T, 1, TB)                                                                         \
    }                                                                                                    \
  }

/*
 * Tiles [tx, tx + LANES): B^T d (rows i of the tile: d_0 - d_2, d_1 + d_2, d_2 - d_1, d_1 - d_3),
 * then each row times B (columns j likewise), from e and o loaded as vectors over tiles, a row i at
 * a time so that few vectors are live.
 */
#define WINO_INPUT_RUN(T, VT, LANES, TB)                                                                  \
  for (; tx + LANES <= b; tx += LANES) {                                                                 \
    WINO_INPUT_ROW(T, VT, TB, 0, 0, 2, -)                                                                \
    WINO_INPUT_ROW(T, VT, TB, 1, 1, 2, +)                                                                \
    WINO_INPUT_ROW(T, VT, TB, 2, 2, 1, -)                                                                \
    WINO_INPUT_ROW(T, VT, TB, 3, 1, 3, -)                                                                \
  }

/*
 * Row I of B^T d B: w = d_RA OP d_RB as e0, o0, e1, o1; then its columns w_e0 - w_e1, w_o0 + w_e1,
 * w_e1 - w_o0, w_o0 - w_o1.
 */
#define WINO_INPUT_ROW(T, VT, TB, I, RA, RB, OP)                                                         \
  {                                                                                                      \
    VT w[4];                                                                                             \
    const T *src[4] = {e[RA] + tx, o[RA] + tx, e[RA] + tx + 1, o[RA] + tx + 1};                          \
    const T *srd[4] = {e[RB] + tx, o[RB] + tx, e[RB] + tx + 1, o[RB] + tx + 1};                          \
    _Pragma("GCC unroll 4") for (int q = 0; q < 4; q++) {                                                \
      VT pa, pb;                                                                                         \
      memcpy(&pa, src[q], sizeof(VT));                                                                   \
      memcpy(&pb, srd[q], sizeof(VT));                                                                   \
      w[q] = pa OP pb;                                                                                   \
    }                                                                                                    \
    VT c0 = w[0] - w[2], c1 = w[1] + w[2], c2 = w[2] - w[1], c3 = w[1] - w[3];                           \
    T *vi = vc + (I * 4) * (cin + 1L) * TB + tx;                                                         \
    memcpy(vi, &c0, sizeof(VT));                                                                         \
    memcpy(vi + (cin + 1L) * TB, &c1, sizeof(VT));                                                       \
    memcpy(vi + 2 * (cin + 1L) * TB, &c2, sizeof(VT));                                                   \
    memcpy(vi + 3 * (cin + 1L) * TB, &c3, sizeof(VT));                                                   \
  }

/*
 * M_xi = U_xi V_xi for a block of TB tiles: 4 output channels by NV vectors of tiles at a time, the
 * block's TB / (NV * LANES) such column blocks in turn while the 4 rows of U_xi are in L1.
 */
#define WINO_PRODUCT(NAME, T, VT, LANES, NV, TB)                                                         \
  static inline __attribute__((always_inline)) void NAME(const T *u, const T *v, int cin, int co, T *m) { \
    for (int xi = 0; xi < 16; xi++)                                                                      \
      for (int cb = 0; cb < co; cb += 4)                                                                 \
        for (int t0 = 0; t0 < TB; t0 += NV * LANES) {                                                    \
          const T *ux = u + ((long)xi * co + cb) * cin;                                                  \
          const T *vx = v + (long)xi * (cin + 1) * TB + t0;                                              \
          VT acc[4][NV];                                                                                 \
          for (int r = 0; r < 4; r++)                                                                    \
            for (int j = 0; j < NV; j++) acc[r][j] = (VT){0};                                            \
          for (int ci = 0; ci < cin; ci++) {                                                             \
            VT xv[NV];                                                                                   \
            for (int j = 0; j < NV; j++) memcpy(&xv[j], vx + (long)ci * TB + j * LANES, sizeof(VT));     \
            for (int r = 0; r < 4; r++) {                                                                \
              T w = ux[ci * 4 + r];                                                                      \
              for (int j = 0; j < NV; j++) acc[r][j] += xv[j] * w;                                       \
            }                                                                                            \
          }                                                                                              \
          for (int r = 0; r < 4; r++)                                                                    \
            for (int j = 0; j < NV; j++)                                                                 \
              memcpy(m + ((long)(cb + r) * 16 + xi) * TB + t0 + j * LANES, &acc[r][j], sizeof(VT));      \
        }                                                                                                \
  }

/*
 * y += A^T M A for the tiles [a, b) of tile row ty, output channel by channel, from m[co * 16 * TB
 * + xi * TB + tx]. Runs of LANES tiles whose four pixels are all inside the image and [from, to)
 * (WINO_OUTPUT_RUN, whole vectors then half ones) add as vectors, each row's two columns
 * interleaved; the other tiles one at a time, pixel by pixel.
 */
#define WINO_OUTPUT(NAME, T, VT, LANES, IL, IH, HT, HALF, HIL, HIH, TB)                                 \
  static inline __attribute__((always_inline)) void NAME(const T *m, const int *g, int ty, int a, int b, \
                                                         T *y, long from, long to) {                    \
    long plane = (long)g[OH] * g[OW];                                                                    \
    int oy = 2 * ty;                                                                                     \
    int rows_in = oy + 1 < g[OH] && (long)oy * g[OW] >= from && (long)(oy + 2) * g[OW] <= to;           \
    int whole = rows_in ? (b < g[OW] / 2 ? b : g[OW] / 2) : a; /* tiles [a, whole) need no checks */    \
    for (int co = 0; co < g[COUT]; co++) {                                                               \
      const T *mc = m + (long)co * 16 * TB;                                                              \
      T *y0 = y + co * plane + (long)oy * g[OW], *y1 = y0 + g[OW];                                       \
      int tx = a;                                                                                        \
      WINO_OUTPUT_RUN(T, VT, LANES, IL, IH, TB)                                                          \
      WINO_OUTPUT_RUN(T, HT, HALF, HIL, HIH, TB)                                                         \
      for (; tx < b; tx++) {                                                                             \
        T q[2][2];                                                                                       \
        WINO_OUTPUT_TILES(T, TB)                                                                         \
        for (int i = 0; i < 2; i++)                                                                      \
          for (int j = 0; j < 2; j++) {                                                                  \
            long p = (long)(oy + i) * g[OW] + 2 * tx + j;                                                \
            if (oy + i < g[OH] && 2 * tx + j < g[OW] && p >= from && p < to)                             \
              (i ? y1 : y0)[2 * tx + j] += q[i][j];                                                      \
          }                                                                                              \
      }                                                                                                  \
    }                                                                                                    \
  }

/*
 * q = A^T M A of the tiles at tx (VT: LANES of them side by side): rows m_0 + m_1 + m_2 and
 * m_1 - m_2 - m_3, then columns likewise.
 */
#define WINO_OUTPUT_TILES(VT, TB)                                                                        \
  {                                                                                                      \
    VT mv[16];                                                                                           \
    for (int xi = 0; xi < 16; xi++) memcpy(&mv[xi], mc + xi * TB + tx, sizeof(VT));                      \
    for (int i = 0; i < 2; i++) {                                                                        \
      VT s[4];                                                                                           \
      for (int j = 0; j < 4; j++)                                                                        \
        s[j] = i ? mv[4 + j] - mv[8 + j] - mv[12 + j] : mv[j] + mv[4 + j] + mv[8 + j];                   \
      q[i][0] = s[0] + s[1] + s[2];                                                                      \
      q[i][1] = s[1] - s[2] - s[3];                                                                      \
    }                                                                                                    \
  }

/* Tiles [tx, tx + LANES) inside [a, whole): q as vectors, added to y with each row's two columns interleaved. */
#define WINO_OUTPUT_RUN(T, VT, LANES, IL, IH, TB)                                                        \
  for (; tx + LANES <= whole; tx += LANES) {                                                             \
    VT q[2][2];                                                                                          \
    WINO_OUTPUT_TILES(VT, TB)                                                                            \
    for (int i = 0; i < 2; i++) {                                                                        \
      T *yr = (i ? y1 : y0) + 2 * tx;                                                                    \
      VT lo, hi;                                                                                         \
      memcpy(&lo, yr, sizeof(VT));                                                                       \
      memcpy(&hi, yr + LANES, sizeof(VT));                                                               \
      lo += __builtin_shuffle(q[i][0], q[i][1], IL);                                                     \
      hi += __builtin_shuffle(q[i][0], q[i][1], IH);                                                     \
      memcpy(yr, &lo, sizeof(VT));                                                                       \
      memcpy(yr + LANES, &hi, sizeof(VT));                                                               \
    }                                                                                                    \
  }

/*
 * One sample, padded by PADW into xp: the tile rows that hold [from, to), in blocks of TB tiles; a
 * block's tiles may span tile rows (an 8x8 output is 4 rows of 4 tiles), each row's part
 * transformed as one run.
 */
#define WINO_KERNEL(NAME, T, TB, PADW, IN, PRODUCT, OUT)                                                 \
  static inline __attribute__((always_inline)) void NAME(const T *x, const T *u, const int *g, T *y,    \
                                                         long from, long to, T *xp, T *v, T *m) {       \
    int tw = (g[OW] + 1) / 2, hp = 2 * ((g[OH] + 1) / 2) + 2, wh = tw + 1;                               \
    PADW(x, g, xp, hp, wh);                                                                              \
    long t_from = from / g[OW] / 2 * tw, t_to = ((to - 1) / g[OW] / 2 + 1) * tw;                         \
    for (long t0 = t_from; t0 < t_to; t0 += TB) {                                                       \
      long t1 = t0 + TB < t_to ? t0 + TB : t_to;                                                          \
      for (long t = t0; t < t1;) { /* a tile row's part of the block at a time */                        \
        int ty = (int)(t / tw), a = (int)(t % tw);                                                       \
        int b = t1 - t < tw - a ? a + (int)(t1 - t) : tw;                                                \
        IN(xp, hp, wh, g[CIN], ty, a, b, v + (t - t0) - a);                                              \
        t += b - a;                                                                                      \
      }                                                                                                  \
      PRODUCT(u, v, g[CIN], g[CO], m);                                                                   \
      for (long t = t0; t < t1;) {                                                                       \
        int ty = (int)(t / tw), a = (int)(t % tw);                                                       \
        int b = t1 - t < tw - a ? a + (int)(t1 - t) : tw;                                                \
        OUT(m + (t - t0) - a, g, ty, a, b, y, from, to);                                                 \
        t += b - a;                                                                                      \
      }                                                                                                  \
    }                                                                                                    \
  }

typedef float f4 __attribute__((vector_size(16)));
typedef double d2 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
typedef long long l2 __attribute__((vector_size(16)));

/* Shuffle masks: the even and odd lanes of two vectors; the first and second halves of two interleaved. */
#define EVEN8 ((i8){0, 2, 4, 6, 8, 10, 12, 14})
#define ODD8 ((i8){1, 3, 5, 7, 9, 11, 13, 15})
#define ZIPLO8 ((i8){0, 8, 1, 9, 2, 10, 3, 11})
#define ZIPHI8 ((i8){4, 12, 5, 13, 6, 14, 7, 15})
#define EVEN4(V) ((V){0, 2, 4, 6})
#define ODD4(V) ((V){1, 3, 5, 7})
#define ZIPLO4(V) ((V){0, 4, 1, 5})
#define ZIPHI4(V) ((V){2, 6, 3, 7})

PHASE_PAD(phase_pad_f, float, f8, 8, EVEN8, ODD8)
PHASE_PAD(phase_pad_d, double, d4, 4, EVEN4(l4), ODD4(l4))
WINO_INPUT(wino_input_f, float, f8, 8, f4, 4, 16)
WINO_INPUT(wino_input_d, double, d4, 4, d2, 2, 8)
WINO_PRODUCT(wino_product_f, float, f8, 8, 2, 16)
WINO_PRODUCT(wino_product_d, double, d4, 4, 2, 8)
WINO_OUTPUT(wino_output_f, float, f8, 8, ZIPLO8, ZIPHI8, f4, 4, ZIPLO4(i4), ZIPHI4(i4), 16)
WINO_OUTPUT(wino_output_d, double, d4, 4, ZIPLO4(l4), ZIPHI4(l4), d2, 2, ((l2){0, 2}), ((l2){1, 3}), 8)
WINO_KERNEL(wino_f, float, 16, phase_pad_f, wino_input_f, wino_product_f, wino_output_f)
WINO_KERNEL(wino_d, double, 8, phase_pad_d, wino_input_d, wino_product_d, wino_output_d)

/* Rows and columns of the padded input that the taps (or the Winograd tiles) read. */
static int padded_rows(const int *g) {
  return g[WINOGRAD] ? (g[OH] + 1) / 2 * 2 + 2 : (g[OH] - 1) * g[SH] + g[KH];
}

static int padded_cols(const int *g) {
  return g[WINOGRAD] ? (g[OW] + 1) / 2 * 2 + 2 : (g[OW] - 1) * g[SW] + g[KW];
}

/*
 * Where a Winograd layer's transforms start in the scratch (allocated 64-byte aligned): after the
 * padded input, rounded up to 16 values, so that their vectors, at multiples of a vector, never
 * straddle two cache lines. (Zen 3 with 16-byte offsets: no difference beyond the noise.)
 */
static size_t wino_offset(const int *g) {
  return ((size_t)g[CIN] * padded_rows(g) * padded_cols(g) + 15) / 16 * 16;
}

/* Values of scratch a call needs: the padded input (a plane of a depthwise layer), a Winograd block's transforms. */
static size_t scratch_values(const int *g) {
  if (g[WINOGRAD]) return wino_offset(g) + (size_t)16 * (g[CIN] + 1 + g[CO]) * WINO_TILES;
  size_t planes = g[DEPTHWISE] ? 1 : (size_t)g[CIN];
  return planes * padded_rows(g) * (padded_cols(g) + 1); /* + 1: a stride-2 row as two phases of ceil(wp / 2) */
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

/* The pixel-vector kernel of an instruction set without one (AVX-512: PV_LANES 0, never called). */
#define NO_PV(...) ((void)0)

/* The batch's samples one after another, with one instruction set's kernels. */
#define SAMPLES(NAME, TARGET, T, PADF, PHASEF, WIDE, NARROWK, NARROW, PV, PV_LANES, DW, WINO)            \
  __attribute__((target(TARGET))) static void NAME(const T *x, long x_stride, const T *wq, const int *g, \
                                                   T *y, long y_stride, int count, T *xp, long from, long to) { \
    int narrow = g[CO] == NARROW;                                                                        \
    /* pixel vectors where rows are whole vectors (channels a multiple of 4: the kernel's pad): stride  \
       1 two or more; stride 2 (pads >= 0, read as phases) when the channels fill one vector, as the    \
       first layers' 3->8 (Zen 3, float32 32x32 3x3: 10 -> 6 kcycles; with 16 channels and 1x1 taps   \
       the channel vectors stay ahead); the conditional divisor keeps the AVX-512 instances, PV_LANES  \
       0, free of a % 0 */                                                                              \
    int rows_pv = PV_LANES > 0 && g[OW] % (PV_LANES > 0 ? PV_LANES : 1) == 0 && g[CO] % 4 == 0;          \
    int phases = rows_pv && narrow && g[SW] == 2 && g[PT] >= 0 && g[PL] >= 0;                            \
    int pv = phases || (rows_pv && g[SW] == 1 && g[OW] >= 2 * PV_LANES);                                 \
    int hp = padded_rows(g), wp = padded_cols(g), ph = phases ? (wp + 1) / 2 : 0;                        \
    /* no padding read and every tap inside the image: the kernel reads the sample in place */          \
    int in_place = !phases && g[PT] == 0 && g[PL] == 0 && hp <= g[H] && wp <= g[W];                      \
    int one[GEO]; /* one channel's geometry, to pad a depthwise layer a plane at a time */              \
    memcpy(one, g, sizeof(one));                                                                         \
    one[CIN] = 1;                                                                                        \
    long plane = (long)g[OH] * g[OW], taps = (long)g[KH] * g[KW];                                        \
    T *wino_v = g[WINOGRAD] ? xp + wino_offset(g) : NULL; /* after the padded input, 64-byte aligned */ \
    for (int s = 0; s < count; s++) {                                                                    \
      const T *xs = x + s * x_stride;                                                                    \
      if (g[DEPTHWISE]) {                                                                                \
        for (int c = 0; c < g[CIN]; c++) {                                                               \
          const T *xc = xs + (long)c * g[H] * g[W];                                                      \
          if (!in_place) PADF(xc, one, xp, hp, wp);                                                      \
          DW(in_place ? xc : xp, in_place ? g[W] : wp, wq + c * taps, g, y + s * y_stride + c * plane, from, to); \
        }                                                                                                \
        continue;                                                                                        \
      }                                                                                                  \
      if (g[WINOGRAD]) {                                                                                 \
        T *wino_m = wino_v + 16L * (g[CIN] + 1) * WINO_TILES;                                            \
        WINO(xs, wq, g, y + s * y_stride, from, to, xp, wino_v, wino_m);                                 \
        continue;                                                                                        \
      }                                                                                                  \
      if (phases) PHASEF(xs, g, xp, hp, ph);                                                             \
      else if (!in_place) PADF(xs, g, xp, hp, wp);                                                       \
      const T *src = in_place ? xs : xp;                                                                 \
      int h = in_place ? g[H] : hp, w = in_place ? g[W] : phases ? 2 * ph : wp;                          \
      if (pv) PV(src, h, w, ph, wq, g, y + s * y_stride, from, to);                                      \
      else if (narrow) NARROWK(src, h, w, wq, g, y + s * y_stride, from, to);                            \
      else WIDE(src, h, w, wq, g, y + s * y_stride, from, to);                                           \
    }                                                                                                    \
  }

SAMPLES(samples_f_v4, "arch=x86-64-v4", float, pad_f, phase_pad_f, kernel_f16x1, kernel_f8x1w, 8, NO_PV, 0,
        depthwise_f, wino_f)
SAMPLES(samples_f_v3, "arch=x86-64-v3", float, pad_f, phase_pad_f, kernel_f8x2, kernel_f8x1, 8, kernel_pv_f8, 8,
        depthwise_f, wino_f)
SAMPLES(samples_f_v1, "arch=x86-64", float, pad_f, phase_pad_f, kernel_f8x2, kernel_f8x1, 8, kernel_pv_f8, 8,
        depthwise_f, wino_f)
SAMPLES(samples_d_v4, "arch=x86-64-v4", double, pad_d, phase_pad_d, kernel_d8x1, kernel_d4x1w, 4, NO_PV, 0,
        depthwise_d, wino_d)
SAMPLES(samples_d_v3, "arch=x86-64-v3", double, pad_d, phase_pad_d, kernel_d4x2, kernel_d4x1, 4, kernel_pv_d4, 4,
        depthwise_d, wino_d)
SAMPLES(samples_d_v1, "arch=x86-64", double, pad_d, phase_pad_d, kernel_d4x2, kernel_d4x1, 4, kernel_pv_d4, 4,
        depthwise_d, wino_d)

/* The widest vectors the tests let the kernels use (DirectConv.capVectorBits): 512 unless lowered. */
static volatile int bits_cap = 512;

/*
 * 512 with AVX-512 (F, BW, CD, DQ, VL: x86-64-v4), 256 with AVX2 and FMA (x86-64-v3), else 128;
 * at most bits_cap.
 */
static int vector_bits(void) {
  __builtin_cpu_init();
  int bits = __builtin_cpu_supports("x86-64-v4") ? 512 : __builtin_cpu_supports("x86-64-v3") ? 256 : 128;
  return bits < bits_cap ? bits : bits_cap;
}

#define DISPATCH(NAME, T, V4, V3, V1)                                                                    \
  static void NAME(const T *x, long x_stride, const T *wq, const int *g, T *y, long y_stride, int count, \
                   T *xp, long from, long to) {                                                          \
    int bits = vector_bits();                                                                            \
    (bits == 512 ? V4 : bits == 256 ? V3 : V1)(x, x_stride, wq, g, y, y_stride, count, xp, from, to);    \
  }

DISPATCH(samples_f, float, samples_f_v4, samples_f_v3, samples_f_v1)
DISPATCH(samples_d, double, samples_d_v4, samples_d_v3, samples_d_v1)

JNIEXPORT jint JNICALL Java_org_implicit4j_linalg_DirectConv_vectorBits(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return vector_bits();
}

JNIEXPORT void JNICALL Java_org_implicit4j_linalg_DirectConv_capVectorBits(JNIEnv *env, jclass cls, jint bits) {
  (void)env;
  (void)cls;
  bits_cap = bits;
}

/*
 * Pins y and x (possibly the same array) for a call that reads x while it writes y, into *yv and
 * *xv (NULL where the JVM lent none): false unless both are pinned. Whether x is y is asked first,
 * since no other JNI call may come while an array is held. unpin_xy releases what was pinned, y's
 * writes kept.
 */
static jboolean pin_xy(JNIEnv *env, jarray x, jarray y, void **xv, void **yv) {
  jboolean same = (*env)->IsSameObject(env, x, y);
  *yv = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
  *xv = same ? *yv : (*env)->GetPrimitiveArrayCritical(env, x, NULL);
  return *yv != NULL && *xv != NULL;
}

/* Releases pin_xy's arrays: x unchanged (distinct arrays never share storage, so x is y iff xv == yv). */
static void unpin_xy(JNIEnv *env, jarray x, jarray y, void *xv, void *yv) {
  if (xv != NULL && xv != yv) (*env)->ReleasePrimitiveArrayCritical(env, x, xv, JNI_ABORT);
  if (yv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, yv, 0);
}

/*
 * The JNI entry points: y_s += K x_s for count samples, output pixels [from, to) of each. Bounds
 * are checked by the Java caller (DirectConv.multAdd) before the call. False when the padded input
 * could not be allocated.
 */
#define ENTRY(NAME, T, JARRAY, SAMPLESF)                                                                 \
  JNIEXPORT jboolean JNICALL NAME(JNIEnv *env, jclass cls, JARRAY x, jint x_off, jint x_stride, JARRAY wq, \
                                  jintArray geo, JARRAY y, jint y_off, jint y_stride, jint count,        \
                                  jint from, jint to) {                                                  \
    (void)cls;                                                                                           \
    int g[GEO];                                                                                          \
    (*env)->GetIntArrayRegion(env, geo, 0, GEO, g);                                                      \
    /* the padded input (a sample's, or one plane of a depthwise layer) and Winograd's transforms */  \
    T *xp = aligned_alloc(64, (sizeof(T) * scratch_values(g) + 63) / 64 * 64); /* see wino_offset */   \
    if (xp == NULL) return JNI_FALSE;                                                                    \
    void *xa, *ya;                                                                                       \
    jboolean ok = pin_xy(env, x, y, &xa, &ya);                                                           \
    T *xv = xa, *yv = ya;                                                                                \
    T *wv = (*env)->GetPrimitiveArrayCritical(env, wq, NULL);                                            \
    ok = ok && wv != NULL;                                                                               \
    if (ok) SAMPLESF(xv + x_off, x_stride, wv, g, yv + y_off, y_stride, count, xp, from, to);            \
    if (wv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, wq, wv, JNI_ABORT);                       \
    unpin_xy(env, x, y, xv, yv);                                                                         \
    free(xp);                                                                                            \
    return ok;                                                                                           \
  }

ENTRY(Java_org_implicit4j_linalg_DirectConv_conv, float, jfloatArray, samples_f)
ENTRY(Java_org_implicit4j_linalg_DirectConv_conv64, double, jdoubleArray, samples_d)

/*
 * Elementwise y[i] += d[i] * x[i] (or y[i] += x[i] without d) for i < n, from Java arrays in place
 * (StagedAdd, for diagonal blocks such as a residual connection's and for adding staged products
 * back): JDK 17's C2 vectorises such a loop only when both arrays have one offset, so the Java
 * path copies both through scratch first. The caller checks the bounds and that x and y do not
 * overlap unless they coincide. The product is rounded before the sum (no FMA), as in Java, so
 * that both paths give the same bits.
 */
#define AXPY(NAME, TARGET, T)                                                                            \
  __attribute__((target(TARGET), optimize("fp-contract=off"))) static void NAME(T *y, const T *d,     \
                                                                                const T *x, int n) {   \
    if (d != NULL)                                                                                       \
      for (int i = 0; i < n; i++) y[i] += d[i] * x[i];                                                   \
    else                                                                                                 \
      for (int i = 0; i < n; i++) y[i] += x[i];                                                          \
  }

AXPY(axpy_f_v3, "arch=x86-64-v3", float)
AXPY(axpy_f_v1, "arch=x86-64", float)
AXPY(axpy_d_v3, "arch=x86-64-v3", double)
AXPY(axpy_d_v1, "arch=x86-64", double)

/* False when an array could not be pinned (then nothing was added: StagedAdd adds in Java). */
#define AXPY_ENTRY(NAME, T, JARRAY, V3, V1)                                                              \
  JNIEXPORT jboolean JNICALL NAME(JNIEnv *env, jclass cls, JARRAY y, jint yo, JARRAY d, JARRAY x,        \
                                  jint xo, jint n) {                                                     \
    (void)cls;                                                                                           \
    void *xa, *ya;                                                                                       \
    jboolean ok = pin_xy(env, x, y, &xa, &ya);                                                           \
    T *xv = xa, *yv = ya;                                                                                \
    T *dv = d != NULL ? (*env)->GetPrimitiveArrayCritical(env, d, NULL) : NULL;                          \
    ok = ok && (d == NULL || dv != NULL);                                                                \
    if (ok) (vector_bits() >= 256 ? V3 : V1)(yv + yo, dv, xv + xo, n);                                   \
    if (dv != NULL) (*env)->ReleasePrimitiveArrayCritical(env, d, dv, JNI_ABORT);                        \
    unpin_xy(env, x, y, xv, yv);                                                                         \
    return ok;                                                                                           \
  }

AXPY_ENTRY(Java_org_implicit4j_linalg_StagedAdd_axpy, float, jfloatArray, axpy_f_v3, axpy_f_v1)
AXPY_ENTRY(Java_org_implicit4j_linalg_StagedAdd_axpy64, double, jdoubleArray, axpy_d_v3, axpy_d_v1)

/*
 * d[i] = (float) s[i], rounded to nearest even as Java's cast (the JVM keeps MXCSR's defaults: no
 * flush to zero). JDK 17's C2 does not vectorise the narrowing cast; here it is vcvtpd2ps, four a
 * cycle. Its caller (Floats.round) checks the bounds.
 */
#define ROUND(NAME, TARGET)                                                                              \
  __attribute__((target(TARGET))) static void NAME(float *d, const double *s, int n) {                  \
    for (int i = 0; i < n; i++) d[i] = (float)s[i];                                                      \
  }

ROUND(round_v3, "arch=x86-64-v3")
ROUND(round_v1, "arch=x86-64")

/* False when an array could not be pinned (then nothing was written: Floats rounds in Java). */
JNIEXPORT jboolean JNICALL Java_org_implicit4j_linalg_Floats_roundInC(JNIEnv *env, jclass cls, jdoubleArray src,
                                                                      jint so, jfloatArray dst, jint dof, jint n) {
  (void)cls;
  void *sa, *da;
  jboolean ok = pin_xy(env, src, dst, &sa, &da);
  if (ok) (vector_bits() >= 256 ? round_v3 : round_v1)((float *)da + dof, (const double *)sa + so, n);
  unpin_xy(env, src, dst, sa, da);
  return ok;
}

/*
 * Dense tiles in place: y_s[c0, c0 + width) += x_s · B for samples s in [0, n), x_s the k values at
 * x_off + s*x_stride of a Java array, B the k x width column tile of the weights at native address
 * w, y_s at y_off + s*y_stride, the arrays' own strides as leading dimensions, instead of copying x
 * into native memory and the product back (NativeBlas.tiled). With AVX-512, one cblas_sgemm or
 * cblas_dgemm (called through the address JavaCPP gives, OpenBLAS being loaded by it), whose SkylakeX
 * small-matrix kernels multiply in place. Elsewhere OpenBLAS packs both operands at every call (Zen 3,
 * sgemm 1x64x784 and 16x64x784: most of the time in packing), so the blocks below run instead.
 */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111 };

/*
 * c[r][j] += sum over p of a[r*lda + p] * b[p*ldb + j] for r < MR, j < cols <= NV*LANES: MR rows by
 * NV vectors of accumulators, KU of them over interleaved p when MR*NV alone are too few to hide
 * the FMA latency (4 cycles, 2 a cycle: 8 independent sums). The loop over p is unrolled 4 times
 * (the same sums in the same order): where the core is shared, fewer loop instructions a step pay
 * (Zen 3 VM, 16x256x784 alone or beside a second copy, 72-88 -> 78-93 GFLOP/s, level where it ran
 * at 92; mnistfc's solve alternated in one JVM, 2 cores, batch 256: float32 0.92 by median, fp64
 * 0.95). B prefetched by software as well helped one core but not two (eleventh round). A last
 * panel narrower than a vector (cols < LANES) reads whole vectors of b all the same, from its zero
 * padding (NativeBlas.weights); those lanes are not stored.
 */
#define GEMM_BLOCK(NAME, T, VT, LANES, MR, NV, KU)                                                       \
  static inline __attribute__((always_inline)) void NAME(int k, const T *a, long lda, const T *b, long ldb, \
                                                         T *c, long ldc, int cols) {                    \
    VT acc[KU][MR][NV];                                                                                  \
    for (int u = 0; u < KU; u++)                                                                         \
      for (int r = 0; r < MR; r++)                                                                       \
        for (int v = 0; v < NV; v++) acc[u][r][v] = (VT){0};                                             \
    int p = 0;                                                                                           \
    _Pragma("GCC unroll 4") for (; p + KU <= k; p += KU)                                                 \
      for (int u = 0; u < KU; u++) {                                                                     \
        VT bv[NV];                                                                                       \
        for (int v = 0; v < NV; v++) memcpy(&bv[v], b + (long)(p + u) * ldb + v * LANES, sizeof(VT));   \
        for (int r = 0; r < MR; r++) {                                                                   \
          T av = a[r * lda + p + u];                                                                     \
          for (int v = 0; v < NV; v++) acc[u][r][v] += bv[v] * av;                                       \
        }                                                                                                \
      }                                                                                                  \
    for (; p < k; p++) {                                                                                 \
      VT bv[NV];                                                                                         \
      for (int v = 0; v < NV; v++) memcpy(&bv[v], b + (long)p * ldb + v * LANES, sizeof(VT));            \
      for (int r = 0; r < MR; r++)                                                                       \
        for (int v = 0; v < NV; v++) acc[0][r][v] += bv[v] * a[r * lda + p];                             \
    }                                                                                                    \
    for (int r = 0; r < MR; r++)                                                                         \
      for (int v = 0; v < NV; v++) {                                                                     \
        VT sum = acc[0][r][v], cv;                                                                       \
        for (int u = 1; u < KU; u++) sum += acc[u][r][v];                                                \
        if (cols == NV * LANES) {                                                                        \
          memcpy(&cv, c + r * ldc + v * LANES, sizeof(VT));                                              \
          cv += sum;                                                                                     \
          memcpy(c + r * ldc + v * LANES, &cv, sizeof(VT));                                              \
        } else {                                                                                         \
          for (int l = 0; l < cols - v * LANES && l < LANES; l++) c[r * ldc + v * LANES + l] += sum[l];   \
        }                                                                                                \
      }                                                                                                  \
  }

/* Blocks of every row count up to 6, two vectors wide and one. */
#define GEMM_BLOCKS(P, T, VT, LANES)                                                                     \
  GEMM_BLOCK(P##_6x2, T, VT, LANES, 6, 2, 1)                                                             \
  GEMM_BLOCK(P##_5x2, T, VT, LANES, 5, 2, 1)                                                             \
  GEMM_BLOCK(P##_4x2, T, VT, LANES, 4, 2, 1)                                                             \
  GEMM_BLOCK(P##_3x2, T, VT, LANES, 3, 2, 2)                                                             \
  GEMM_BLOCK(P##_2x2, T, VT, LANES, 2, 2, 2)                                                             \
  GEMM_BLOCK(P##_1x2, T, VT, LANES, 1, 2, 4)                                                             \
  GEMM_BLOCK(P##_6x1, T, VT, LANES, 6, 1, 2)                                                             \
  GEMM_BLOCK(P##_5x1, T, VT, LANES, 5, 1, 2)                                                             \
  GEMM_BLOCK(P##_4x1, T, VT, LANES, 4, 1, 2)                                                             \
  GEMM_BLOCK(P##_3x1, T, VT, LANES, 3, 1, 3)                                                             \
  GEMM_BLOCK(P##_2x1, T, VT, LANES, 2, 1, 4)                                                             \
  GEMM_BLOCK(P##_1x1, T, VT, LANES, 1, 1, 4)

GEMM_BLOCKS(gf, float, f8, 8)
GEMM_BLOCKS(gd, double, d4, 4)

/* A block of MR rows from row r, at column j (in the panel bp of PW columns), its first cols columns. */
#define GEMM_AT(P, MR, NV, cols) P##_##MR##x##NV(k, a + r * lda, lda, bp, PW, c + r * ldc + j, ldc, cols)

/*
 * The rows [0, n) of the columns from j, NV vectors wide: blocks of 6, then one block of the rest.
 * Column j of b is in panel j / PW, at j % PW: the panels are k x PW each, contiguous, one after
 * another, so that a block streams its panel's rows from one run of memory (a row-major tile had
 * them 64 floats or doubles apart: fp64 blocks at 75% of the FMA peak against 100% here, Zen 3).
 */
#define GEMM_PANEL(P, NV, cols)                                                                          \
  {                                                                                                      \
    __typeof__(b) bp = b + (long)(j / PW) * PW * k + j % PW;                                             \
    int r = 0;                                                                                           \
    for (; r + 6 <= n; r += 6) GEMM_AT(P, 6, NV, cols);                                                  \
    switch (n - r) {                                                                                     \
      case 5: GEMM_AT(P, 5, NV, cols); break;                                                            \
      case 4: GEMM_AT(P, 4, NV, cols); break;                                                            \
      case 3: GEMM_AT(P, 3, NV, cols); break;                                                            \
      case 2: GEMM_AT(P, 2, NV, cols); break;                                                            \
      case 1: GEMM_AT(P, 1, NV, cols); break;                                                            \
      default: break;                                                                                    \
    }                                                                                                    \
  }

/*
 * c[n x width] += a[n x k] · b[k x width], a and c row-major with leading dimensions, b in panels of
 * PW = 2 vectors (zero-padded to a whole panel): panels of 2 vectors, then 1, then the last columns.
 */
#define GEMM(NAME, TARGET, P, T, LANES)                                                                  \
  __attribute__((target(TARGET))) static void NAME(int n, int width, int k, const T *a, long lda, const T *b, \
                                                   T *c, long ldc) {                                     \
    enum { PW = 2 * LANES };                                                                             \
    int j = 0;                                                                                           \
    for (; j + 2 * LANES <= width; j += 2 * LANES) GEMM_PANEL(P, 2, 2 * LANES)                           \
    for (; j + LANES <= width; j += LANES) GEMM_PANEL(P, 1, LANES)                                       \
    if (j < width) GEMM_PANEL(P, 1, width - j)                                                           \
  }

GEMM(gemm_f_v3, "arch=x86-64-v3", gf, float, 8)
GEMM(gemm_f_v1, "arch=x86-64", gf, float, 8)
GEMM(gemm_d_v3, "arch=x86-64-v3", gd, double, 4)
GEMM(gemm_d_v1, "arch=x86-64", gd, double, 4)

#define TILE(NAME, T, JARRAY, V3, V1)                                                                    \
  typedef void (*NAME##_fn)(int order, int ta, int tb, int m, int n, int k, T alpha, const T *a, int lda, \
                            const T *b, int ldb, T beta, T *c, int ldc);                                 \
  JNIEXPORT jboolean JNICALL NAME(JNIEnv *env, jclass cls, jlong gemm, JARRAY x, jint x_off, jint x_stride, \
                                  jlong w, jboolean panels, jint k, jint n, jint width, JARRAY y, jint y_off, \
                                  jint y_stride) {                                                       \
    (void)cls;                                                                                           \
    void *xa, *ya;                                                                                       \
    jboolean ok = pin_xy(env, x, y, &xa, &ya);                                                           \
    T *xv = xa, *yv = ya;                                                                                \
    const T *b = (const T *)(intptr_t)w;                                                                 \
    int bits = vector_bits();                                                                            \
    if (ok && !panels)                                                                                   \
      ((NAME##_fn)(intptr_t)gemm)(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, width, k, 1, xv + x_off, \
                                  x_stride, b, width, 1, yv + y_off, y_stride);                          \
    else if (ok)                                                                                         \
      (bits >= 256 ? V3 : V1)(n, width, k, xv + x_off, x_stride, b, yv + y_off, y_stride);               \
    unpin_xy(env, x, y, xv, yv);                                                                         \
    return ok;                                                                                           \
  }

TILE(Java_org_implicit4j_linalg_NativeBlas_tileInPlace, float, jfloatArray, gemm_f_v3, gemm_f_v1)
TILE(Java_org_implicit4j_linalg_NativeBlas_tileInPlace64, double, jdoubleArray, gemm_d_v3, gemm_d_v1)
