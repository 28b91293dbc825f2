package org.implicit4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.io.ModelFormatException;
import org.implicit4j.model.ImplicitModel;

/** Opens a MODEL argument: a saved model file or an ONNX network, told apart by content. */
final class ModelSource {
  private ModelSource() {}

  static ImplicitModel load(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new ModelFormatException(path + ": no such file");
    }
    if (ModelFiles.isModelFile(path)) {
      return ModelFiles.load(path);
    }
    throw new ModelFormatException(path + ": not an implicit4j model file (a zip with manifest.json)");
  }
}
