package org.implicit4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ByteLines} splits as BufferedReader.readLine does, whatever block ends cut \r\n or long lines. */
class ByteLinesTest {
  @Test
  void linesMatchBufferedReader() throws Exception {
    Random r = new Random(12);
    String[] ends = {"\n", "\r", "\r\n", "\n\n", "\r\r\n"};
    for (int trial = 0; trial < 200; trial++) {
      StringBuilder text = new StringBuilder();
      int lines = r.nextInt(8);
      for (int i = 0; i < lines; i++) {
        int len = r.nextInt(4) == 0 ? 100 + r.nextInt(200) : r.nextInt(6);
        for (int j = 0; j < len; j++) {
          text.append((char) ('a' + r.nextInt(26)));
        }
        if (i < lines - 1 || r.nextBoolean()) {
          text.append(ends[r.nextInt(ends.length)]);
        }
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
      List<String> want = new ArrayList<>();
      try (BufferedReader br = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes),
          StandardCharsets.ISO_8859_1))) {
        for (String l = br.readLine(); l != null; l = br.readLine()) {
          want.add(l);
        }
      }
      ByteLines got = new ByteLines(new ByteArrayInputStream(bytes), 1 + r.nextInt(7));
      List<String> lines2 = new ArrayList<>();
      while (got.next()) {
        lines2.add(new String(got.bytes(), got.start(), got.end() - got.start(), StandardCharsets.ISO_8859_1));
        assertEquals(lines2.size(), got.number());
      }
      assertEquals(want, lines2, text.toString().replace("\r", "\\r").replace("\n", "\\n"));
    }
  }
}
