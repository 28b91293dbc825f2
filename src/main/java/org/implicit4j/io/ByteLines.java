package org.implicit4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a stream as byte ranges of one buffer, read in 64 KB blocks, so that {@link Csv}
 * parses numbers from the bytes without a String per line (decoding and copying each line cost as
 * much as parsing its numbers). A line ends at \n, \r or \r\n, as {@link
 * java.io.BufferedReader#readLine}'s do; the buffer grows only for a line longer than itself.
 */
final class ByteLines {
  private final InputStream in;
  private byte[] buf;
  /** Read data is [0, limit); the unread part starts at next. */
  private int limit;
  private int next;
  private boolean eof;
  private int start;
  private int end;
  private int number;

  ByteLines(InputStream in) {
    this(in, 1 << 16);
  }

  /** With a first buffer of {@code block} bytes (tests use a few, to cross block ends everywhere). */
  ByteLines(InputStream in, int block) {
    this.in = in;
    this.buf = new byte[block];
  }

  /** Advances to the next line; false after the last. */
  boolean next() throws IOException {
    while (true) {
      for (int i = next; i < limit; i++) {
        byte b = buf[i];
        if (b != '\n' && b != '\r') {
          continue;
        }
        if (b == '\r' && i + 1 == limit && !eof) {
          break; // a \n may follow in the next block
        }
        start = next;
        end = i;
        next = b == '\r' && i + 1 < limit && buf[i + 1] == '\n' ? i + 2 : i + 1;
        number++;
        return true;
      }
      if (eof) {
        if (next == limit) {
          return false;
        }
        start = next;
        end = limit;
        next = limit;
        number++;
        return true;
      }
      refill();
    }
  }

  /** Moves the unread part to the front (growing the buffer when it is full of one line) and reads more. */
  private void refill() throws IOException {
    int rest = limit - next;
    if (next == 0 && rest == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    } else if (next > 0) {
      System.arraycopy(buf, next, buf, 0, rest);
    }
    next = 0;
    limit = rest;
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
  }

  /** The buffer holding the current line (valid until the next call of {@link #next}). */
  byte[] bytes() {
    return buf;
  }

  int start() {
    return start;
  }

  int end() {
    return end;
  }

  /** The current line's 1-based number. */
  int number() {
    return number;
  }
}
