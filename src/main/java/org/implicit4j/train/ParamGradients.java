package org.implicit4j.train;

import java.util.stream.IntStream;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.Conv2d;
import org.implicit4j.linalg.ConvGeometry;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.LinearOperator;
import org.implicit4j.linalg.OperatorVisitor;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.linalg.ScaledOperator;
import org.implicit4j.linalg.SumOperator;

/**
 * ∇_M Σ_s ⟨L_s, M R_s⟩ for the trainable operator kinds, accumulated into a gradient array laid out
 * like the slot's values: for a dense M it is Σ_s L_s R_sᵀ (so ∇A = VXᵀ, ∇B = VUᵀ, ∇C = GXᵀ, ∇D =
 * GUᵀ of El Ghaoui et al. §6), restricted to the stored entries for sparse and diagonal M, and the
 * correlation of L with R for a convolution kernel. Batched vectors: vector s of L at lOff + s·lStride.
 */
final class ParamGradients implements OperatorVisitor<Void, RuntimeException> {
  private final double[] l;
  private final int lOff;
  private final int lStride;
  private final double[] r;
  private final int rOff;
  private final int rStride;
  private final int batch;
  private final double[] grad;

  private ParamGradients(double[] l, int lOff, int lStride, double[] r, int rOff, int rStride, int batch,
      double[] grad) {
    this.l = l;
    this.lOff = lOff;
    this.lStride = lStride;
    this.r = r;
    this.rOff = rOff;
    this.rStride = rStride;
    this.batch = batch;
    this.grad = grad;
  }

  static void accumulate(LinearOperator op, double[] l, int lOff, int lStride, double[] r, int rOff, int rStride,
      int batch, double[] grad) {
    op.accept(new ParamGradients(l, lOff, lStride, r, rOff, rStride, batch, grad));
  }

  @Override
  public Void dense(DenseMatrix m) {
    int cols = m.cols();
    IntStream rows = IntStream.range(0, m.rows());
    if ((long) m.rows() * cols * batch > 1 << 16) {
      rows = rows.parallel();
    }
    rows.forEach(i -> {
      int g = i * cols;
      for (int s = 0; s < batch; s++) {
        double li = l[lOff + s * lStride + i];
        if (li != 0) {
          int ro = rOff + s * rStride;
          for (int j = 0; j < cols; j++) {
            grad[g + j] += li * r[ro + j];
          }
        }
      }
    });
    return null;
  }

  @Override
  public Void csr(CsrMatrix m) {
    int[] p = m.indptrCopy();
    int[] idx = m.indicesCopy();
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < m.rows(); i++) {
        double li = l[lOff + s * lStride + i];
        if (li != 0) {
          for (int k = p[i]; k < p[i + 1]; k++) {
            grad[k] += li * r[rOff + s * rStride + idx[k]];
          }
        }
      }
    }
    return null;
  }

  @Override
  public Void diagonal(DiagonalMatrix m) {
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < m.rows(); i++) {
        grad[i] += l[lOff + s * lStride + i] * r[rOff + s * rStride + i];
      }
    }
    return null;
  }

  /** dK[o,c,ky,kx] = Σ_s Σ_{oy,ox} L[s,o,oy,ox]·R[s, group·cpg + c, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw]. */
  @Override
  public Void conv2d(Conv2d m) {
    ConvGeometry g = m.geometry();
    int cpg = g.cinPerGroup();
    // each output channel writes its own kernel rows: disjoint, so the channels run in parallel
    org.implicit4j.linalg.Parallel.forEach(g.cout(), (long) batch * g.macs() / Math.max(1, g.cout()), o -> {
      int grp = o / g.coutPerGroup();
      for (int s = 0; s < batch; s++) {
        int lo = lOff + s * lStride + o * g.oh() * g.ow();
        int ro = rOff + s * rStride;
        for (int c = 0; c < cpg; c++) {
          int plane = ro + (grp * cpg + c) * g.h() * g.w();
          for (int ky = 0; ky < g.kh(); ky++) {
            for (int kx = 0; kx < g.kw(); kx++) {
              double acc = 0;
              for (int oy = 0; oy < g.oh(); oy++) {
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilH();
                if (iy < 0 || iy >= g.h()) {
                  continue;
                }
                for (int ox = 0; ox < g.ow(); ox++) {
                  int ix = ox * g.strideW() - g.padLeft() + kx * g.dilW();
                  if (ix >= 0 && ix < g.w()) {
                    acc += l[lo + oy * g.ow() + ox] * r[plane + iy * g.w() + ix];
                  }
                }
              }
              grad[((o * cpg + c) * g.kh() + ky) * g.kw() + kx] += acc;
            }
          }
        }
      }
    });
    return null;
  }

  @Override
  public Void scaled(ScaledOperator m) {
    throw notTrainable(m);
  }

  @Override
  public Void sum(SumOperator m) {
    throw notTrainable(m);
  }

  @Override
  public Void product(ProductOperator m) {
    throw notTrainable(m);
  }

  @Override
  public Void block(BlockMatrix m) {
    throw notTrainable(m);
  }

  private static IllegalStateException notTrainable(LinearOperator m) {
    return new IllegalStateException("internal: a " + m.kind() + " block has no trainable slot");
  }
}
