package org.implicit4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;
import org.implicit4j.solve.Solvers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java examples in samples/java compile against the library and print what they claim. */
class JavaSamplesTest {
  @TempDir Path dir;

  private String run(String name) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diag = new ByteArrayOutputStream();
    int rc = javac.run(null, diag, diag, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
        Path.of("samples", "java", name + ".java").toString());
    assertEquals(0, rc, diag.toString(StandardCharsets.UTF_8));
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      Method main = cl.loadClass(name).getMethod("main", String[].class);
      main.invoke(null, (Object) new String[] {Path.of("samples").toAbsolutePath().toString()});
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void cascadeHeadComputesTheHeadOfTheCnnOutput() throws Exception {
    String out = run("CascadeHead");
    assertTrue(out.contains("triangular=true") && out.contains("well-posed: strictly upper triangular"), out);
    ImplicitModel cnn = OnnxImporter.importFile(Path.of("samples", "mnist8.onnx"), ImportOptions.defaults()).model();
    double[] x = new double[784];
    for (int i = 0; i < 784; i++) {
      x[i] = (i % 28) / 28.0;
    }
    double[] y = Solvers.solve(cnn, x, 1).output(0);
    Matcher m = Pattern.compile("y=(\\S+),(\\S+),(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(y[0], Double.parseDouble(m.group(1)), 1e-6);
    assertEquals(y[1], Double.parseDouble(m.group(2)), 1e-6);
    assertEquals(y[0] - y[1], Double.parseDouble(m.group(3)), 1e-6);
  }

  @Test
  void feedbackLoopIsWellPosedAfterRescalingAndAndersonIsFaster() throws Exception {
    String out = run("FeedbackLoop");
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(1).startsWith("after:  well-posed"), out);
    int picard = iterations(lines.get(2));
    int anderson = iterations(lines.get(3));
    assertTrue(lines.get(2).startsWith("picard: converged") && lines.get(3).startsWith("anderson: converged"), out);
    assertTrue(anderson < picard, out);
  }

  private static int iterations(String report) {
    Matcher m = Pattern.compile("after (\\d+) iteration").matcher(report);
    assertTrue(m.find(), report);
    return Integer.parseInt(m.group(1));
  }

  /** README's ten-line example, kept as samples/java/Hello.java. */
  @Test
  void readmeExampleVerifiesRescalesAndSolves() throws Exception {
    String out = run("Hello");
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(0).startsWith("PASS: 100/100 samples matched ONNX Runtime"), out);
    assertTrue(lines.get(1).startsWith("rescaled to") && lines.get(2).startsWith("anderson: converged"), out);
    String readme = java.nio.file.Files.readString(Path.of("README.md"));
    for (String line : java.nio.file.Files.readAllLines(Path.of("samples", "java", "Hello.java"))) {
      assertTrue(line.isBlank() || readme.contains(line), "README's example differs from Hello.java at: " + line);
    }
  }

  /** The source launcher from a folder outside the checkout, the samples folder given as the argument. */
  @Test
  void samplesRunFromAnyFolder() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        Path.of("samples", "java", "Ensemble.java").toAbsolutePath().toString(),
        Path.of("samples").toAbsolutePath().toString()).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("mean[0]="), out);
  }

  @Test
  void ensembleAveragesIdenticalPredictors() throws Exception {
    String out = run("Ensemble");
    Matcher m = Pattern.compile("a\\[0\\]=(\\S+) mean\\[0\\]=(\\S+) gate\\[0\\]=(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    double a = Double.parseDouble(m.group(1));
    // b is a rescaled copy of a: the same predictor, so the mean equals a and the gate is tanh(a)σ(a).
    assertEquals(a, Double.parseDouble(m.group(2)), 1e-5);
    assertEquals(Math.tanh(a) / (1 + Math.exp(-a)), Double.parseDouble(m.group(3)), 1e-5);
  }
}
