package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The spinning team of {@link Parallel}: every item once, failures, nesting, concurrent owners. */
class ParallelTest {
  private static final long BIG = Parallel.MIN_PARALLEL_WORK; // per item: always worth a team

  @Test
  void everyItemRunsExactlyOnce() {
    for (int n : new int[] {1, 2, 3, 7, 64, 1000}) {
      for (int round = 0; round < 50; round++) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Parallel.forEach(n, BIG, hits::incrementAndGet);
        for (int i = 0; i < n; i++) {
          assertEquals(1, hits.get(i), "item " + i + " of " + n);
        }
      }
    }
  }

  @Test
  void aFailureReachesTheCallerAndTheTeamStaysUsable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(100, BIG, i -> {
      if (i == 37) {
        throw new IllegalArgumentException("item 37");
      }
    }));
    assertEquals("item 37", e.getMessage());
    AtomicIntegerArray hits = new AtomicIntegerArray(10);
    Parallel.forEach(10, BIG, hits::incrementAndGet);
    for (int i = 0; i < 10; i++) {
      assertEquals(1, hits.get(i));
    }
  }

  @Test
  void nestedLoopsRunEveryInnerItem() {
    int outer = 8;
    int inner = 50;
    AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
    Parallel.forEach(outer, BIG, o -> Parallel.forEach(inner, BIG, i -> hits.incrementAndGet(o * inner + i)));
    for (int k = 0; k < outer * inner; k++) {
      assertEquals(1, hits.get(k), "item " + k);
    }
  }

  /** Several threads start loops at once: one owns the team, the others use the fork-join pool. */
  @Test
  void concurrentCallersAllGetTheirResults() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<long[]>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int seed = c;
        results.add(callers.submit(() -> {
          long[] out = new long[500];
          for (int round = 0; round < 200; round++) {
            Parallel.forEach(out.length, BIG, i -> out[i] += (long) i * seed);
          }
          return out;
        }));
      }
      for (int c = 0; c < 4; c++) {
        long[] want = new long[500];
        for (int i = 0; i < want.length; i++) {
          want[i] = 200L * i * c;
        }
        assertArrayEquals(want, results.get(c).get(), "caller " + c);
      }
    } finally {
      callers.shutdown();
    }
  }
}
