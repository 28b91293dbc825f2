package org.implicit4j.api;

import org.implicit4j.report.SolveReport;

/** Predictions ŷ, one row per input row, and how the solve went (method, iterations, residuals). */
public record Prediction(double[][] outputs, SolveReport report) {}
