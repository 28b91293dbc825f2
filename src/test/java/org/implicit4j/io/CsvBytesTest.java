package org.implicit4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers parsed from a line's bytes equal Double.parseDouble of its fields, around a byte-order
 * mark, a header, comments (one not ASCII), blank lines, padding and every line ending; errors
 * name the same line and column as before.
 */
class CsvBytesTest {
  @TempDir Path dir;

  @Test
  void bytesParseAsDoubleParseDouble() throws Exception {
    Random r = new Random(5);
    String[] ends = {"\n", "\r\n", "\r"};
    double[][] want = new double[40][3];
    StringBuilder text = new StringBuilder("\uFEFFa,b,c\n# commentaire déjà vu\n\n");
    for (double[] row : want) {
      for (int j = 0; j < 3; j++) {
        double v = switch (r.nextInt(4)) {
          case 0 -> r.nextGaussian() * 1e-300;
          case 1 -> -r.nextInt(1000);
          case 2 -> r.nextDouble();
          default -> r.nextGaussian() * 1e30;
        };
        String field = r.nextBoolean() ? Double.toString(v) : String.format(java.util.Locale.ROOT, "%.17e", v);
        row[j] = Double.parseDouble(field);
        text.append(j == 0 ? " " : "\t").append(field).append(j < 2 ? " ," : "  ");
      }
      text.append(ends[r.nextInt(ends.length)]);
    }
    Path f = dir.resolve("x.csv");
    Files.write(f, text.toString().getBytes(StandardCharsets.UTF_8));
    double[][] got = Csv.read(f, 3);
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertArrayEquals(want[i], got[i], 0.0, "row " + i);
    }
  }

  @Test
  void errorsNameLineAndColumn() throws Exception {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "1,2,3\n4, 5x ,6\n");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Csv.read(f, 3));
    assertTrue(e.getMessage().contains("bad.csv line 2 column 2: '5x' is not a number"), e.getMessage());
    Files.writeString(f, "1,2,3\n4,5\n");
    e = assertThrows(ModelFormatException.class, () -> Csv.read(f, 3));
    assertTrue(e.getMessage().contains("bad.csv line 2: 2 values, expected 3"), e.getMessage());
    Files.writeString(f, "1,2,3\n4,1e999,6\n");
    e = assertThrows(ModelFormatException.class, () -> Csv.read(f, 3));
    assertTrue(e.getMessage().contains("bad.csv line 2 column 2: 1e999 is not a finite number"), e.getMessage());
  }
}
