package org.implicit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.api.Implicit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A loop not shown well-posed (an MLP fed back with gain 5): said on stderr, refusable, and not exported blindly. */
class IllPosedCliTest {
  @TempDir Path dir;
  private Path loop;

  @BeforeEach
  void model() {
    loop = dir.resolve("loop.i4j");
    Implicit mlp = Implicit.load(Path.of("samples/iris-mlp.onnx"));
    mlp.then(Implicit.affine(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}}, new double[4]))
        .feedback(5).save(loop);
  }

  @Test
  void predictWarnsAndCanRefuse() throws Exception {
    Path x = dir.resolve("x.csv");
    Files.writeString(x, "0.1,0.2,0.3,0.4\n");
    CliTest.Run warn = CliTest.run("predict", loop.toString(), "--inputs", x.toString(), "--solver", "picard",
        "--max-iterations", "50");
    assertTrue(warn.err().contains("warning: well-posedness is not shown"), warn.err());
    CliTest.Run strict = CliTest.run("predict", loop.toString(), "--inputs", x.toString(), "--require-well-posed");
    assertEquals(1, strict.code(), strict.err());
    assertTrue(strict.err().contains("well-posedness is required but not shown"), strict.err());
    assertTrue(strict.out().isEmpty());
  }

  @Test
  void exportRefusesALoopThatMayNotConvergeUnlessTheIterationsAreGiven() throws Exception {
    Path out = dir.resolve("loop.onnx");
    CliTest.Run r = CliTest.run("export", loop.toString(), "-o", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("give --iterations T"), r.err());
    assertFalse(Files.exists(out));
    CliTest.Run neg = CliTest.run("export", loop.toString(), "-o", out.toString(), "--iterations", "-3");
    assertEquals(2, neg.code(), neg.err());
    assertTrue(neg.err().contains("--iterations must be"), neg.err());
    CliTest.Run given = CliTest.run("export", loop.toString(), "-o", out.toString(), "--iterations", "20");
    assertEquals(0, given.code(), given.err());
  }
}
