package org.implicit4j.api;

import org.implicit4j.report.RescaleReport;

/** A rescaled model (same predictions, ‖A‖∞ &lt; κ) and what the rescale did. */
public record Rescaled(Implicit model, RescaleReport report) {}
