package org.implicit4j.linalg;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks OpenBLAS's micro-kernels on AMD processors with AVX-512, before the library loads.
 *
 * <p>OpenBLAS 0.3.31 detects AMD Zen 5 (family 1Ah) as Haswell and runs its 256-bit AVX2 kernels,
 * half the width the core executes. Its SkylakeX kernels use AVX-512F/BW/DQ/VL only, which Zen 4
 * and Zen 5 have. Measured here on Zen 5, single-thread sgemm: 256×256×784 at 111 → 205 GFLOP/s,
 * 64×64×576 at 85 → 137, 32×256×288 at 71 → 108. OpenBLAS reads its choice from the environment
 * variable {@code OPENBLAS_CORETYPE} once, when it loads; a JVM cannot change its own environment,
 * so libc's {@code setenv} is called through JNA before the first BLAS call (see {@link #beforeLoad}).
 */
final class KernelChoice {
  private static final Set<String> AVX512 = Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl");
  private static volatile String chosen = "OpenBLAS's own detection";

  private KernelChoice() {}

  /** The kernels asked for, for reports: a core name, or "OpenBLAS's own detection". */
  static String chosen() {
    return chosen;
  }

  /**
   * Sets OPENBLAS_CORETYPE when that helps; never fails (OpenBLAS's own choice stays). Setting
   * {@code implicit4j.openblas.coretype}: {@code auto} (default) keeps a value the user put in the
   * environment and otherwise chooses from the CPU flags; {@code cpu} chooses from the flags even
   * over the environment; {@code detect} leaves it to OpenBLAS; any other value is a core name.
   */
  static void beforeLoad() {
    String setting = System.getProperty("implicit4j.openblas.coretype", "auto");
    String fromEnv = System.getenv("OPENBLAS_CORETYPE");
    if ("detect".equalsIgnoreCase(setting) || fromEnv != null && "auto".equalsIgnoreCase(setting)) {
      chosen = fromEnv == null ? chosen : fromEnv + " (from OPENBLAS_CORETYPE)";
      return;
    }
    boolean fromCpu = "auto".equalsIgnoreCase(setting) || "cpu".equalsIgnoreCase(setting);
    String core = fromCpu ? suggested(cpuInfo()) : setting;
    if (core == null) {
      return;
    }
    try {
      if (LibC.INSTANCE.setenv("OPENBLAS_CORETYPE", core, 1) == 0) {
        chosen = core;
      }
    } catch (Throwable e) { // LinkageError: JNA has no native part for this platform; keep the default
      chosen = "OpenBLAS's own detection (setenv unavailable: " + e.getClass().getSimpleName() + ")";
    }
  }

  /** SKYLAKEX for an AMD processor whose flags include AVX-512 F, BW, DQ and VL; otherwise null. */
  static String suggested(List<String> cpuInfo) {
    boolean amd = false;
    for (String line : cpuInfo) {
      if (line.startsWith("vendor_id") && line.contains("AuthenticAMD")) {
        amd = true;
      }
      if (line.startsWith("flags")) {
        String[] names = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        Set<String> flags = new HashSet<>(Arrays.asList(names));
        return amd && flags.containsAll(AVX512) ? "SKYLAKEX" : null;
      }
    }
    return null;
  }

  private static List<String> cpuInfo() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo"));
    } catch (IOException | SecurityException e) { // not Linux: OpenBLAS detects on its own
      return List.of();
    }
  }

  /** libc's setenv(3). */
  private interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);
  }
}
