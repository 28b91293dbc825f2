package org.implicit4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.implicit4j.io.ModelFiles;
import org.implicit4j.io.ModelFormatException;
import org.implicit4j.model.ImplicitModel;
import org.implicit4j.model.Shape;
import org.implicit4j.onnx.ImportOptions;
import org.implicit4j.onnx.OnnxImporter;

/** Opens a MODEL argument: a saved model file or an ONNX network (converted on the fly), told apart by content. */
final class ModelSource {
  private ModelSource() {}

  static ImplicitModel load(Path path, ImportOptions options) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new ModelFormatException(path + ": no such file");
    }
    if (ModelFiles.isModelFile(path)) {
      return ModelFiles.load(path);
    }
    ai.onnx.proto.OnnxMl.ModelProto proto;
    try {
      proto = OnnxImporter.read(path); // parsed once, then imported; only parse failures land here
    } catch (org.implicit4j.onnx.ImportException e) {
      throw new ModelFormatException(path + ": neither an implicit4j model file (a zip with manifest.json) "
          + "nor an ONNX model (" + e.getMessage() + ")", e);
    }
    return OnnxImporter.importModel(proto, path.toString(), path.toAbsolutePath().getParent(), options).model();
  }

  static ImplicitModel load(Path path) throws IOException {
    return load(path, ImportOptions.defaults());
  }

  /** Parses --input-shape values "NAME=1x28x28" or "1x28x28" (for the only input) into options. */
  static ImportOptions options(java.util.List<String> inputShapes) {
    ImportOptions o = ImportOptions.defaults();
    if (inputShapes == null) {
      return o;
    }
    for (String s : inputShapes) {
      int eq = s.lastIndexOf('=');
      String name = eq < 0 ? "" : s.substring(0, eq);
      o = o.withInputShape(name, Shape.parse(s.substring(eq + 1)).dims());
    }
    return o;
  }
}
