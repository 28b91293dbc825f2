package org.implicit4j.linalg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Native libraries kept in ~/.cache/implicit4j (a directory only its user writes), each extracted
 * from the jar once instead of into a new temporary file on every start: implicit4j's own C kernels
 * ({@link DirectConv}) and ONNX Runtime's (verify.OrtNative).
 */
public final class NativeFiles {
  private NativeFiles() {}

  /** ~/.cache/implicit4j/{@code dir}, made if absent. */
  public static Path cacheDir(String dir) throws IOException {
    return Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "implicit4j", dir));
  }

  /**
   * dir/name, written from {@code in} unless it is there (with {@code size} bytes, when size ≥ 0):
   * under a temporary name, then moved into place, so that a run never loads half a file another is
   * writing; the temporary file goes if the move fails.
   */
  public static Path extract(Path dir, String name, InputStream in, long size) throws IOException {
    Path target = dir.resolve(name);
    if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)) {
      return target;
    }
    Path tmp = Files.createTempFile(dir, name, ".tmp");
    try {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }
}
