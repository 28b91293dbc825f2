package org.implicit4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.implicit4j.linalg.DimensionMismatchException;
import org.junit.jupiter.api.Test;

/** Rows of float inputs predict what the same values as doubles predict, bit for bit, in fp64 and float32. */
class FloatInputsTest {
  @Test
  void floatRowsPredictTheirValuesAsDoubles() {
    Implicit net = Implicit.load("samples/mnist8.onnx");
    int p = net.model().p();
    Random r = new Random(3);
    float[][] f = new float[5][p];
    double[][] d = new double[5][p];
    for (int s = 0; s < f.length; s++) {
      for (int i = 0; i < p; i++) {
        f[s][i] = r.nextFloat() * 255;
        d[s][i] = f[s][i];
      }
    }
    for (boolean float32 : new boolean[] {false, true}) {
      SolveOptions o = SolveOptions.defaults().withFloat32(float32);
      Prediction want = net.predict(d, o);
      Prediction got = net.predict(f, o);
      for (int s = 0; s < f.length; s++) {
        assertArrayEquals(want.outputs()[s], got.outputs()[s], "float32 " + float32 + " row " + s);
      }
      assertEquals(want.report(), got.report());
      assertTrue(got.report().converged());
    }
    float[][] ragged = {f[0], new float[7]};
    DimensionMismatchException e = assertThrows(DimensionMismatchException.class,
        () -> net.predict(ragged, SolveOptions.defaults()));
    assertTrue(e.getMessage().contains("7 values, the model takes " + p), e.getMessage());
  }
}
