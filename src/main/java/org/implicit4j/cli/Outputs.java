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
}
