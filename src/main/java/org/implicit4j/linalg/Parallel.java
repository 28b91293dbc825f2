package org.implicit4j.linalg;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Splits loops over the cores when the work is large enough to pay for it.
 *
 * <p>A solve runs hundreds of short parallel loops (one per layer and product), each tens to
 * hundreds of microseconds. Handed to the fork-join pool, each loop wakes a parked worker, which
 * on this project's 2-core virtual machine took tens of microseconds and often more: the mean
 * mnistfc batch-64 solve was 401 µs on two cores against 284 µs on one (best 237 and 247). So
 * loops run on a team of workers that spin for a short while after each loop before they park,
 * the policy of ONNX Runtime's and OpenMP's thread pools. One loop owns the team at a time; a loop
 * inside a team loop runs on its own thread (the cores are taken), and a loop started while
 * another thread owns the team falls back to the fork-join pool.
 */
public final class Parallel {
  /** Below this many multiply-adds a loop runs on the calling thread. */
  static final long MIN_PARALLEL_WORK = 1L << 15;

  private Parallel() {}

  /** Runs {@code body(i)} for i in [0, n), in parallel when {@code workPerItem * n} is large. */
  public static void forEach(int n, long workPerItem, IntConsumer body) {
    if (n > 1 && workPerItem * n >= MIN_PARALLEL_WORK && Team.WORKERS > 0 && !Team.inLoop()) {
      if (!Team.run(n, body)) {
        IntStream.range(0, n).parallel().forEach(body);
      }
    } else {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
    }
  }

  /** Whether the calling thread runs an item of a team loop: a loop it starts then runs on this thread alone. */
  static boolean inLoop() {
    return Team.inLoop();
  }

  /** The calling thread and {@link #WORKERS} spinning daemon threads, one per further core. */
  private static final class Team {
    static final int WORKERS = Runtime.getRuntime().availableProcessors() - 1;
    /** How long an idle worker spins for the next loop before it parks (a layer takes about this). */
    private static final long SPIN_NANOS = 200_000;

    private static final AtomicBoolean OWNED = new AtomicBoolean();
    private static final ThreadLocal<boolean[]> IN_LOOP = ThreadLocal.withInitial(() -> new boolean[1]);
    private static final Thread[] THREADS = new Thread[Math.max(0, WORKERS)];
    /** The loop being run, or null; one immutable value, so a late worker never mixes two loops. */
    private static volatile Loop current;

    /** A loop with its own counters: items are handed out by {@code next}, counted off by {@code pending}. */
    private record Loop(IntConsumer body, int size, AtomicInteger next, AtomicInteger pending,
        AtomicReference<Throwable> failure) {}

    static {
      for (int w = 0; w < THREADS.length; w++) {
        THREADS[w] = new Thread(Team::work, "implicit4j-worker-" + (w + 1));
        THREADS[w].setDaemon(true);
        THREADS[w].start();
      }
    }

    private Team() {}

    static boolean inLoop() {
      return IN_LOOP.get()[0];
    }

    /** Runs the loop on the team; false (nothing run) when another thread owns the team. */
    static boolean run(int n, IntConsumer body) {
      if (!OWNED.compareAndSet(false, true)) {
        return false;
      }
      Loop loop = new Loop(body, n, new AtomicInteger(), new AtomicInteger(n), new AtomicReference<>());
      try {
        current = loop;
        for (Thread t : THREADS) {
          LockSupport.unpark(t);
        }
        take(loop);
        while (loop.pending().get() > 0) { // only items a worker has started are left
          Thread.onSpinWait();
        }
      } finally {
        current = null; // the body may hold large arrays: do not keep it reachable
        OWNED.set(false);
      }
      Throwable f = loop.failure().get();
      if (f instanceof RuntimeException e) {
        throw e;
      } else if (f instanceof Error e) {
        throw e;
      } else if (f != null) {
        throw new IllegalStateException(f);
      }
      return true;
    }

    /** Takes and runs items of the loop until none are left; after a failure, skips the rest. */
    private static void take(Loop loop) {
      boolean[] flag = IN_LOOP.get();
      flag[0] = true;
      try {
        for (int i = loop.next().getAndIncrement(); i < loop.size(); i = loop.next().getAndIncrement()) {
          try {
            if (loop.failure().get() == null) {
              loop.body().accept(i);
            }
          } catch (Throwable e) {
            loop.failure().compareAndSet(null, e);
          } finally {
            loop.pending().decrementAndGet();
          }
        }
      } finally {
        flag[0] = false;
      }
    }

    /** A worker: spins for the next loop for {@link #SPIN_NANOS}, then parks until unparked. */
    private static void work() {
      Loop seen = null;
      while (true) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        Loop loop;
        while ((loop = current) == null || loop == seen) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(Team.class);
          }
        }
        seen = loop;
        take(loop);
      }
    }
  }
}
