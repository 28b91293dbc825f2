package org.implicit4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.implicit4j.TestModels;
import org.implicit4j.linalg.CsrMatrix;
import org.implicit4j.linalg.DenseMatrix;
import org.implicit4j.linalg.DiagonalMatrix;
import org.implicit4j.linalg.ProductOperator;
import org.implicit4j.model.Activation;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.solve.Solution;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  /** A model with every operator kind: conv, scaled conv, diagonal, sum, product, csr, dense (float64). */
  static ImplicitModel everyKind() {
    Random r = new Random(9);
    TestModels.ResCnn net = TestModels.ResCnn.random(r);
    ImplicitModel base = net.implicit();
    ImplicitModel.Builder b = ImplicitModel.builder(base.inputShape(), base.outputShape());
    int s0 = b.addState("extra", 5, Activation.leakyRelu(0.1));
    for (int i = 0; i < base.states().size(); i++) {
      b.addState(base.states().get(i).name(), base.states().get(i).shape(), base.states().get(i).activation());
    }
    base.a().blocks().forEach(k -> b.addA(k.row() + 1, k.col() + 1, k.op().scaled(TestModels.randn(r, k.op().rows(), 1), null)));
    base.b().blocks().forEach(k -> b.addB(k.row() + 1, k.op()));
    base.c().blocks().forEach(k -> b.addC(k.col() + 1, k.op()));
    CsrMatrix sel = new DenseMatrix(5, 36, sparse(TestModels.randn(r, 180, 1))).toSparse();
    b.addA(s0, 1, ProductOperator.of(sel, DiagonalMatrix.scalar(36, 0.5)));
    b.addC(s0, new DenseMatrix(5, 5, TestModels.randn(r, 25, 1)));
    b.addD(new DenseMatrix(5, 72, TestModels.randn(r, 360, 1e-3)));
    double[] bias = base.stateBias();
    for (int i = 0; i < base.states().size(); i++) {
      var st = base.states().get(i);
      b.addStateBias(i + 1, java.util.Arrays.copyOfRange(bias, st.offset(), st.end()));
    }
    b.addOutputBias(base.outputBias());
    b.provenance(org.implicit4j.model.Provenance.none().withComposition("test"));
    return b.build();
  }

  private static double[] sparse(double[] v) {
    for (int i = 0; i < v.length; i++) {
      if (i % 4 != 0) {
        v[i] = 0;
      }
    }
    return v;
  }

  @Test
  void saveLoadPredictIsBitIdentical() throws IOException {
    ImplicitModel m = everyKind();
    Path f = dir.resolve("m.i4j");
    ModelFiles.save(m, f);
    assertTrue(ModelFiles.isModelFile(f));
    ImplicitModel back = ModelFiles.load(f);
    assertEquals(m.n(), back.n());
    assertEquals(m.inputShape(), back.inputShape());
    assertEquals(m.states(), back.states());
    assertEquals(m.a(), back.a());
    assertEquals(m.provenance(), back.provenance());
    double[] u = TestModels.randn(new Random(1), 3 * m.p(), 1);
    Solution s1 = Solvers.solve(m, u, 3);
    Solution s2 = Solvers.solve(back, u, 3);
    assertArrayEquals(s1.outputs(), s2.outputs(), 0.0);
    assertArrayEquals(s1.states(), s2.states(), 0.0);
    // Conv kernels stay kernels: the file holds about the parameters, not the Toeplitz matrix.
    assertTrue(Files.size(f) < 40_000, "file size " + Files.size(f));
  }

  @Test
  void npyRoundTripChoosesFloat32OnlyWhenLossless() throws IOException {
    double[] f32 = {1.5, -0.25, 3};
    double[] f64 = {0.1, 2};
    Npy.Array a = Npy.read(new ByteArrayInputStream(Npy.toBytes(f32, 3)), "a", 10);
    Npy.Array b = Npy.read(new ByteArrayInputStream(Npy.toBytes(f64, 1, 2)), "b", 10);
    assertEquals("<f4", a.dtype());
    assertEquals("<f8", b.dtype());
    assertArrayEquals(f32, a.doubles(), 0);
    assertArrayEquals(f64, b.doubles(), 0);
    assertArrayEquals(new int[] {1, 2}, b.shape());
  }

  @Test
  void hugeDeclaredShapeIsRefusedBeforeAllocating() {
    byte[] bytes = Npy.toBytes(new double[] {1, 2, 3}, 3);
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("(3, )", "(999999999, 999)");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Npy.read(
        new ByteArrayInputStream(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), "x.npy", 100));
    assertTrue(e.getMessage().contains("x.npy") && e.getMessage().contains("999999999"), e.getMessage());
  }

  @Test
  void corruptFilesAreTypedErrorsNamingTheFile() throws IOException {
    Path junk = dir.resolve("junk.i4j");
    Files.writeString(junk, "not a zip");
    assertThrows(ModelFormatException.class, () -> ModelFiles.load(junk));
    Path noManifest = dir.resolve("empty.zip");
    try (OutputStream o = Files.newOutputStream(noManifest); ZipOutputStream z = new ZipOutputStream(o)) {
      z.putNextEntry(new ZipEntry("x.txt"));
      z.closeEntry();
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(noManifest));
    assertTrue(e.getMessage().contains("empty.zip") && e.getMessage().contains("manifest"), e.getMessage());
  }

  @Test
  void failedWriteLeavesNoFileBehind() {
    Path target = dir.resolve("out.i4j");
    assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
      out.write(new byte[100]);
      throw new IOException("disk full");
    }));
    assertTrue(List.of(dir.toFile().list()).isEmpty(), "left: " + List.of(dir.toFile().list()));
  }

  @Test
  void csvErrorsNameFileLineAndValue() throws IOException {
    Path x = dir.resolve("x.csv");
    Files.writeString(x, "# header\n1,2,3\n1,zwei,3\n");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Csv.read(x, 3));
    assertTrue(e.getMessage().contains("x.csv line 3 column 2: 'zwei'"), e.getMessage());
    Files.writeString(x, "1,2\n");
    e = assertThrows(ModelFormatException.class, () -> Csv.read(x, 3));
    assertTrue(e.getMessage().contains("2 values, expected 3"), e.getMessage());
  }

  /**
   * The in-place parser (FastDoubleParser between the commas) reads every field as
   * Double.parseDouble does after split and strip: random values in shortest and long forms, and
   * the odd spellings Java accepts (signs, leading/trailing dots, exponents, hex, d/f suffixes).
   */
  @Test
  void inPlaceCsvParsingAgreesWithDoubleParseDouble() throws IOException {
    java.util.Random r = new java.util.Random(5);
    List<String> fields = new java.util.ArrayList<>(List.of(" 1.5e-3 ", "+2", "-0", ".5", "5.", "0x1p3", "1d",
        "2.5f", "\t7 ", "1E+300", "4.9e-324", "123456789012345678901234567890"));
    for (int k = 0; k < 200; k++) {
      double v = Double.longBitsToDouble(r.nextLong());
      fields.add(Double.isFinite(v) ? (k % 2 == 0 ? Double.toString(v) : String.format(java.util.Locale.ROOT, "%.25e", v)) : "0");
    }
    Path x = dir.resolve("x.csv");
    Files.writeString(x, String.join(",", fields) + "\n");
    double[] got = Csv.read(x, fields.size())[0];
    for (int k = 0; k < fields.size(); k++) {
      assertEquals(Double.parseDouble(fields.get(k).strip()), got[k], "field '" + fields.get(k) + "'");
    }
  }

  /** NaN, Infinity and 1e400 are refused naming row and column; a BOM and a header row are accepted. */
  @Test
  void csvRefusesNonFiniteValuesAndAcceptsBomAndHeader() throws IOException {
    Path x = dir.resolve("x.csv");
    for (String bad : List.of("NaN", "Infinity", "-Infinity", "1e400")) {
      Files.writeString(x, "1,2,3\n4," + bad + ",6\n");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> Csv.read(x, 3));
      assertTrue(e.getMessage().contains("x.csv line 2 column 2: " + bad + " is not a finite number"), e.getMessage());
    }
    Files.writeString(x, "\uFEFFa,b,c\r\n1,2,3\r\n");
    assertEquals(List.of(1.0, 2.0, 3.0), java.util.Arrays.stream(Csv.read(x, 3)[0]).boxed().toList());
    Files.write(x, new byte[] {'1', ',', (byte) 0xff, ',', '3', '\n'});
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Csv.read(x, 3));
    assertTrue(e.getMessage().contains("x.csv line 1: not UTF-8 text"), e.getMessage());
    Files.writeString(x, "1,2\u200B,3\n");
    e = assertThrows(ModelFormatException.class, () -> Csv.read(x, 3));
    assertTrue(e.getMessage().contains("'2\\u200B'"), e.getMessage());
  }

  /** Written files get the permissions any new file gets (the umask), and a replaced file keeps its own. */
  @Test
  void writtenFilesRespectTheUmaskAndKeepPermissions() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path probe = Files.createFile(dir.resolve("probe"));
    Path out = dir.resolve("out.txt");
    AtomicFiles.writeString(out, "a");
    assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(out));
    var mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");
    Files.setPosixFilePermissions(out, mode);
    AtomicFiles.writeString(out, "b");
    assertEquals(mode, Files.getPosixFilePermissions(out));
    assertEquals("b", Files.readString(out));
  }

  /** Writing to a symbolic link replaces the file it points to and keeps the link. */
  @Test
  void writesGoThroughSymbolicLinks() throws IOException {
    Path real = dir.resolve("real.txt");
    Files.writeString(real, "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real);
    AtomicFiles.writeString(link, "new");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(real));
  }
}
