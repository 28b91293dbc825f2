package org.implicit4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Option values shared by commands: ranges and output folders, checked before any work. */
final class Outputs {
  private Outputs() {}

  /** "lo,hi" as two numbers with lo ≤ hi. */
  static double[] range(String s) {
    String[] parts = s.split(",", -1);
    try {
      if (parts.length == 2) {
        double lo = Double.parseDouble(parts[0].strip());
        double hi = Double.parseDouble(parts[1].strip());
        if (lo <= hi) {
          return new double[] {lo, hi};
        }
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--clip '" + s + "': expected lo,hi with lo \u2264 hi, e.g. 0,1");
  }

  /** A folder to write into: absent (it is created) or a directory, never an existing file. */
  static void checkFolder(Path dir, String option) {
    if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + dir + ": exists and is not a directory");
    }
  }

  /** An output file that can be written: not a directory, its folder existing and writable. */
  static void writable(Path out, String option) {
    if (out == null) {
      return;
    }
    if (out.toString().isEmpty()) {
      throw new IllegalArgumentException(option + " is empty; give a file name");
    }
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException(option + " " + out + " is a directory; give a file name");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + out + ": folder " + dir + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + " " + out + ": folder " + dir + " is not writable");
    }
  }

  /** Refuses an output that is one of the inputs (it would be overwritten before, or while, it is read). */
  static void notAnInput(Path out, Path... inputs) {
    if (out == null) {
      return;
    }
    writable(out, "-o");
    for (Path in : inputs) {
      if (in != null && same(out, in)) {
        throw new IllegalArgumentException("-o " + out + " is the input " + in + "; writing it would overwrite the "
            + "source. Choose another output file");
      }
    }
  }

  private static boolean same(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (java.io.IOException e) {
      // fall back to comparing the paths
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }
}
