package org.implicit4j.report;

/**
 * How one state block compares with the ONNX tensor it reproduces (`verify --per-layer`).
 *
 * @param block state block index (the model lists blocks last layer first)
 * @param matched every entry satisfied |x − ref| ≤ atol + rtol·|ref|
 */
public record LayerComparison(int block, String name, String tensor, int size, double maxAbsError,
    double maxRelError, boolean matched) {}
