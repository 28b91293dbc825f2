package org.implicit4j.api;

import org.implicit4j.report.TrainReport;

/** A trained (or fine-tuned) model and how its training went, epoch by epoch. */
public record Trained(Implicit model, TrainReport report) {}
