package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A library is written once and kept; a copy of another size is replaced; no temporary file stays. */
class NativeFilesTest {
  @Test
  void writesOnceKeepsAndReplacesAnotherSize(@TempDir Path dir) throws Exception {
    byte[] lib = {1, 2, 3, 4};
    Path p = NativeFiles.extract(dir, "lib.so", new ByteArrayInputStream(lib), lib.length);
    assertArrayEquals(lib, Files.readAllBytes(p));
    // there already with the size asked for (or any size, -1): kept as it is
    byte[] nines = {9, 9, 9, 9};
    assertArrayEquals(lib, Files.readAllBytes(NativeFiles.extract(dir, "lib.so", new ByteArrayInputStream(nines), 4)));
    assertArrayEquals(lib, Files.readAllBytes(NativeFiles.extract(dir, "lib.so", new ByteArrayInputStream(nines), -1)));
    // another size: a truncated or stale copy is replaced
    byte[] other = {5, 6, 7, 8, 9};
    Path again = NativeFiles.extract(dir, "lib.so", new ByteArrayInputStream(other), other.length);
    assertArrayEquals(other, Files.readAllBytes(again));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "only the library, no temporary file");
    }
  }
}
