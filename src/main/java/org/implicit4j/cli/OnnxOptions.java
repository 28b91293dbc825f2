package org.implicit4j.cli;

import java.util.List;
import org.implicit4j.api.LoadOptions;
import picocli.CommandLine.Option;

/** Options shared by commands that import ONNX networks. */
final class OnnxOptions {
  @Option(names = "--input-shape", paramLabel = "[NAME=]CxHxW",
      description = "Shape of an input without the batch dimension, for networks that declare symbolic "
          + "dimensions other than the batch (e.g. --input-shape input=3x32x32). Repeatable.")
  List<String> inputShapes;

  @Option(names = "--keep-softmax", description = "Import a Softmax/LogSoftmax that gives an output, so that "
      + "the model outputs probabilities; by default it is left out and the model outputs logits.")
  boolean keepSoftmax;

  @Option(names = {"-q", "--quiet"}, description = "No progress bars.")
  boolean quiet;

  LoadOptions load() {
    return LoadOptions.fromSpecs(inputShapes).withTrailingSoftmax(keepSoftmax);
  }
}
