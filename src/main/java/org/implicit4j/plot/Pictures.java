package org.implicit4j.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.implicit4j.io.AtomicFiles;
import org.implicit4j.linalg.BlockMatrix;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.model.Shape;
import org.implicit4j.report.AttackReport;
import org.implicit4j.report.SensitivityMatrix;
import org.implicit4j.report.TrainReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures users would rather look at than read, written as PNG (atomically): the rows of the
 * sensitivity matrix as images in the input's shape, the sparsity pattern of A, and accuracy
 * against the attack budget k.
 */
public final class Pictures {
  /** Matrices up to this size are drawn entry by entry; larger ones by block density. */
  static final int EXACT_PATTERN_LIMIT = 4096;

  private Pictures() {}

  /**
   * Row t of S as a heat map in the input's (H, W) layout (channels summed), one tile per output,
   * labelled by class; white = 0, dark red = the row's maximum.
   */
  public static void sensitivityRows(SensitivityMatrix s, Shape input, List<String> labels, Path png)
      throws IOException {
    int[] hw = imageShape(input, s.p());
    int scale = Math.max(1, 112 / Math.max(hw[0], hw[1]));
    int tw = hw[1] * scale;
    int th = hw[0] * scale;
    int cols = Math.min(s.q(), 5);
    int rows = (s.q() + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * (tw + 8) + 8, rows * (th + 24) + 8, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    for (int t = 0; t < s.q(); t++) {
      int x0 = 8 + (t % cols) * (tw + 8);
      int y0 = 8 + (t / cols) * (th + 24);
      double[] plane = summedPlane(s.row(t), hw);
      double mx = 0;
      for (double v : plane) {
        mx = Math.max(mx, v);
      }
      for (int y = 0; y < hw[0]; y++) {
        for (int x = 0; x < hw[1]; x++) {
          g.setColor(heat(mx == 0 ? 0 : plane[y * hw[1] + x] / mx));
          g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
        }
      }
      g.setColor(Color.BLACK);
      g.drawString(t < labels.size() ? labels.get(t) : "class " + t, x0, y0 + th + 15);
    }
    g.dispose();
    write(img, png);
  }

  /** (H, W) of the input: the last two dims of its shape, or a square when it is flat. */
  static int[] imageShape(Shape input, int p) {
    int[] d = input.dims();
    if (d.length >= 2) {
      return new int[] {d[d.length - 2], d[d.length - 1]};
    }
    int side = (int) Math.round(Math.sqrt(p));
    return side * side == p ? new int[] {side, side} : new int[] {1, p};
  }

  private static double[] summedPlane(double[] row, int[] hw) {
    int plane = hw[0] * hw[1];
    double[] out = new double[plane];
    for (int i = 0; i < row.length; i++) {
      out[i % plane] += row[i];
    }
    return out;
  }

  /** White (0) through orange to dark red (1). */
  static Color heat(double v) {
    double c = Math.max(0, Math.min(1, v));
    int r = (int) Math.round(255 - 115 * c * c);
    int gr = (int) Math.round(255 * (1 - c));
    int b = (int) Math.round(255 * (1 - c) * (1 - c));
    return new Color(r, gr, b);
  }

  /**
   * The sparsity pattern of A, size × size pixels: entries drawn one by one for n ≤ 4096, else each
   * stored block as a rectangle shaded by its density (nnz / (rows·cols), log scale).
   */
  public static void sparsity(BlockMatrix a, int size, Path png) throws IOException {
    int n = a.rows();
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    double f = (double) size / Math.max(1, n);
    if (n <= EXACT_PATTERN_LIMIT) {
      CsrMatrix s = a.toSparse();
      int[] p = s.indptrCopy();
      int[] idx = s.indicesCopy();
      g.setColor(new Color(20, 40, 120));
      for (int i = 0; i < n; i++) {
        for (int k = p[i]; k < p[i + 1]; k++) {
          g.fillRect((int) (idx[k] * f), (int) (i * f), Math.max(1, (int) f), Math.max(1, (int) f));
        }
      }
    } else {
      for (BlockMatrix.Block b : a.blocks()) {
        double density = (double) b.op().nnz() / ((double) b.op().rows() * b.op().cols());
        double shade = Math.max(0.15, 1 + Math.log10(Math.max(density, 1e-6)) / 6);
        g.setColor(new Color(20, 40, 120, (int) Math.round(255 * shade)));
        g.fillRect((int) (a.colOffset(b.col()) * f), (int) (a.rowOffset(b.row()) * f),
            Math.max(1, (int) Math.ceil(b.op().cols() * f)), Math.max(1, (int) Math.ceil(b.op().rows() * f)));
      }
    }
    g.setColor(Color.GRAY);
    g.drawRect(0, 0, size - 1, size - 1);
    g.dispose();
    write(img, png);
  }

  /** Accuracy against k (log scale), one line per attack report. */
  public static void accuracyPlot(List<AttackReport> reports, String title, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle("k (inputs changed)")
        .yAxisTitle("accuracy").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    for (AttackReport r : reports) {
      double[] k = r.rows().stream().mapToDouble(AttackReport.Row::k).toArray();
      double[] acc = r.rows().stream().mapToDouble(AttackReport.Row::accuracy).toArray();
      chart.addSeries(r.method() + " (\u03c3 = " + r.sigma() + ")", k, acc).setMarker(SeriesMarkers.CIRCLE);
    }
    AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
  }

  /** Loss (left axis) and train/test accuracy per epoch, two charts side by side in one PNG. */
  public static void trainingCurves(TrainReport r, Path png) throws IOException {
    double[] ep = r.epochs().stream().mapToDouble(TrainReport.Epoch::epoch).toArray();
    XYChart loss = new XYChartBuilder().width(480).height(360).title("loss (" + r.loss() + ")").xAxisTitle("epoch")
        .build();
    loss.addSeries("train loss", ep, r.epochs().stream().mapToDouble(TrainReport.Epoch::loss).toArray());
    XYChart acc = new XYChartBuilder().width(480).height(360).title("accuracy").xAxisTitle("epoch").build();
    acc.addSeries("train", ep, r.epochs().stream().mapToDouble(TrainReport.Epoch::trainAccuracy).toArray());
    if (!Double.isNaN(r.last().testAccuracy())) {
      acc.addSeries("test", ep, r.epochs().stream().mapToDouble(TrainReport.Epoch::testAccuracy).toArray());
    }
    BufferedImage img = new BufferedImage(960, 360, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    loss.paint(g, 480, 360);
    g.translate(480, 0);
    acc.paint(g, 480, 360);
    g.dispose();
    write(img, png);
  }

  private static Graphics2D canvas(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  /** PNG written atomically. */
  private static void write(BufferedImage img, Path png) throws IOException {
    AtomicFiles.write(png, out -> {
      if (!ImageIO.write(img, "png", out)) {
        throw new IOException("no PNG writer in this JVM");
      }
    });
  }
}
