package org.implicit4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.dsl.ScriptRunner;

/**
 * The script parser and runner as a fuzz target: parse errors, unknown names, bad options and
 * sizes must all be script errors with line:col. Scripts run in a fresh folder holding the iris
 * network; ones that name an absolute path or leave their folder are only parsed, so a campaign
 * cannot write elsewhere.
 */
class ScriptFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void script(byte[] bytes) throws Exception {
    Path dir = Files.createTempDirectory("fuzz-script");
    try {
      Files.copy(Path.of("samples/iris-mlp.onnx"), dir.resolve("iris.onnx"));
      Path script = dir.resolve("fuzz.i4s");
      Files.write(script, bytes);
      String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      boolean contained = !text.contains("..") && !text.contains("\"/") && !text.contains(":\\\\")
          && !text.contains("\"~");
      FuzzContract.check(() -> {
        if (contained) {
          ScriptRunner.run(script, new PrintWriter(Writer.nullWriter()));
        } else {
          ScriptRunner.parse(script, text);
        }
      });
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
