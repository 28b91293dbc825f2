package org.implicit4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that readers see either the old file or the complete new one, never a partial one. */
public final class AtomicFiles {
  /** Writes the content of one file to a stream. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Writes to a temporary file beside {@code target}, then renames it over the target. */
  public static void write(Path target, Writer writer) throws IOException {
    // Through a symbolic link: the file it points to is replaced, the link stays.
    Path abs = Files.isSymbolicLink(target) ? target.toRealPath() : target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new ModelFormatException("cannot write " + target + ": folder " + dir + " does not exist");
    }
    Path tmp = temporaryBeside(abs);
    try {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        writer.write(out);
      }
      keepPermissions(abs, tmp);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A new empty file beside {@code target}, created as any new file is (so with the process's
   * umask, not createTempFile's 0600).
   */
  public static Path temporaryBeside(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    java.util.Random r = new java.util.Random();
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(r.nextLong(), 36) + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  /** An existing target keeps its permissions when replaced. */
  public static void keepPermissions(Path target, Path replacement) throws IOException {
    if (Files.exists(target) && Files.getFileStore(replacement).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(replacement, Files.getPosixFilePermissions(target));
    }
  }

  /** Atomically writes a string in UTF-8. */
  public static void writeString(Path target, String content) throws IOException {
    write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
