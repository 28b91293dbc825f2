package org.implicit4j.cli;

import org.implicit4j.linalg.DenseMatrix;

/** Test fixture only: a cli class that reaches past the api, which ArchitectureTest must catch. */
public final class OneDoorViolationFixture {
  private OneDoorViolationFixture() {}

  public static double entry() {
    return DenseMatrix.of(new double[][] {{1}}).apply(new double[] {2})[0];
  }
}
