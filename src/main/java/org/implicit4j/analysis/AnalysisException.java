package org.implicit4j.analysis;

import org.implicit4j.Implicit4jException;

/** An analysis that cannot be carried out on this model (e.g. λpf(|A|) not below the bound it needs); says why. */
public final class AnalysisException extends Implicit4jException {
  public AnalysisException(String message) {
    super(Category.CHECK_FAILED, message);
  }
}
