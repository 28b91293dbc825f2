package org.implicit4j.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Methods short enough to read at once: none in src/main is longer than 60 lines, declaration to closing brace. */
class MethodLengthTest {
  static final int LIMIT = 60;

  /** A method or constructor declaration opening its body on this line (not a type, lambda or control statement). */
  private static final Pattern DECLARATION = Pattern.compile(
      "^\\s+(?:@\\w+\\s+)*(?:(?:public|protected|private|static|final|synchronized|default|abstract)\\s+)*"
          + "(?:<[^>]+>\\s+)?(?:[\\w.<>\\[\\], ?]+\\s+)?\\w+\\s*\\([^;]*\\)\\s*(?:throws [\\w., ]+)?\\{\\s*$");
  private static final Pattern NOT_A_METHOD = Pattern.compile(
      "\\b(?:class|record|interface|enum|if|for|while|switch|catch|synchronized \\(|new|return|else|try)\\b|->|=");

  /** Lengths of the methods whose declaration ends on one line, as "file:line name length". */
  static List<String> longMethods(Path file, int limit) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (!DECLARATION.matcher(l).matches() || NOT_A_METHOD.matcher(l.substring(0, l.indexOf('('))).find()) {
        continue;
      }
      int depth = 0;
      int j = i;
      for (; j < lines.size(); j++) {
        String code = lines.get(j).replaceAll("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])'|//.*", "");
        depth += code.chars().filter(c -> c == '{').count() - code.chars().filter(c -> c == '}').count();
        if (depth <= 0) {
          break;
        }
      }
      if (j - i + 1 > limit) {
        found.add(file + ":" + (i + 1) + " " + l.strip() + " — " + (j - i + 1) + " lines");
      }
    }
    return found;
  }

  @Test
  void noMethodInMainIsLongerThanSixtyLines() throws IOException {
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        all.addAll(longMethods(f, LIMIT));
      }
    }
    assertTrue(all.isEmpty(), "methods over " + LIMIT + " lines:\n" + String.join("\n", all));
  }

  /** The counter is not vacuous: a 61-line method is found, a 60-line one is not. */
  @Test
  void theCounterFindsALongMethod(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    StringBuilder src = new StringBuilder("class X {\n  void longOne() {\n");
    for (int i = 0; i < 59; i++) {
      src.append("    int a").append(i).append(" = ").append(i).append(";\n");
    }
    src.append("  }\n\n  private static int shortOne(int x) {\n    return x;\n  }\n}\n");
    Path f = dir.resolve("X.java");
    Files.writeString(f, src);
    assertEquals(1, longMethods(f, 60).size(), longMethods(f, 60).toString());
    assertTrue(longMethods(f, 61).isEmpty());
  }
}
