package org.implicit4j.linalg;

/**
 * Geometry of a 2-D convolution over C order tensors: input (cin, h, w), output (cout, oh, ow),
 * kernel (cout, cin/groups, kh, kw). Output pixel (oy, ox) reads input rows
 * iy = oy·strideH − padTop + ky·dilH and columns ix = ox·strideW − padLeft + kx·dilW; taps outside
 * the input read zero (so bottom/right padding is implied by oh, ow).
 */
public record ConvGeometry(int cin, int h, int w, int cout, int oh, int ow, int kh, int kw,
    int strideH, int strideW, int padTop, int padLeft, int dilH, int dilW, int groups) {

  public ConvGeometry {
    if (groups <= 0 || cin % groups != 0 || cout % groups != 0) {
      throw new DimensionMismatchException("conv2d: groups " + groups + " must divide cin " + cin + " and cout " + cout);
    }
    if (strideH <= 0 || strideW <= 0 || dilH <= 0 || dilW <= 0) {
      throw new DimensionMismatchException("conv2d: strides and dilations must be positive");
    }
    if (oh <= 0 || ow <= 0 || kh <= 0 || kw <= 0) {
      throw new DimensionMismatchException("conv2d: empty output " + oh + "x" + ow + " or kernel " + kh + "x" + kw);
    }
  }

  /** Output extent along one axis: floor((in + padBegin + padEnd − dil·(k−1) − 1)/stride) + 1. */
  public static int outputSize(int in, int k, int stride, int padBegin, int padEnd, int dil) {
    return Math.floorDiv(in + padBegin + padEnd - dil * (k - 1) - 1, stride) + 1;
  }

  public int inputSize() { return cin * h * w; }

  public int outputSize() { return cout * oh * ow; }

  public int cinPerGroup() { return cin / groups; }

  public int coutPerGroup() { return cout / groups; }

  public int kernelSize() { return cout * cinPerGroup() * kh * kw; }

  /** Multiply-adds of one application to one input (taps that fall in padding included). */
  public long macs() { return (long) outputSize() * cinPerGroup() * kh * kw; }
}
