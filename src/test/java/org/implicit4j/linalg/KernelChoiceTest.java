package org.implicit4j.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelChoiceTest {
  private static final String AVX512 = "flags\t\t: fpu sse avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl";

  @Test
  void amdWithAvx512GetsTheSkylakeXKernels() {
    assertEquals("SKYLAKEX", KernelChoice.suggested(List.of("vendor_id\t: AuthenticAMD", AVX512)));
  }

  @Test
  void intelIsLeftToOpenBlasWhichDetectsIt() {
    assertNull(KernelChoice.suggested(List.of("vendor_id\t: GenuineIntel", AVX512)));
  }

  @Test
  void amdWithoutTheFullAvx512SetIsLeftAlone() {
    // Zen 3 and older: AVX2 only; a partial set (no BW) must not get kernels that would fault
    assertNull(KernelChoice.suggested(List.of("vendor_id\t: AuthenticAMD", "flags\t\t: fpu avx2 fma")));
    assertNull(KernelChoice.suggested(List.of("vendor_id\t: AuthenticAMD", "flags\t\t: avx512f avx512dq avx512vl")));
  }

  @Test
  void noCpuInformationMeansNoChoice() {
    assertNull(KernelChoice.suggested(List.of()));
  }

  @Test
  void theChoiceIsReportedOnceOpenBlasLoaded() {
    String kernels = NativeBlas.kernels();
    // one of: a core name, the environment's value, OpenBLAS's own detection, or the Java kernels
    assertEquals(!NativeBlas.available(), kernels.startsWith("none"), kernels);
  }
}
