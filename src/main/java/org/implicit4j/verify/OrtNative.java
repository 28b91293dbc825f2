package org.implicit4j.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import org.implicit4j.linalg.NativeFiles;

/**
 * Points ONNX Runtime at native libraries extracted once into ~/.cache/implicit4j, instead of letting
 * it extract them into a new temporary folder on every start (which it never deletes). Any failure
 * leaves ORT's own behaviour in place.
 */
final class OrtNative {
  private static boolean prepared;

  private OrtNative() {}

  /** ORT's version from its Maven metadata (kept by the shaded jar), so that upgrades extract afresh. */
  private static String version() throws IOException {
    try (InputStream in = OrtNative.class.getResourceAsStream(
        "/META-INF/maven/com.microsoft.onnxruntime/onnxruntime/pom.xml")) {
      if (in == null) {
        return "unknown";
      }
      String pom = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("<artifactId>onnxruntime</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
      return m.find() ? m.group(1).trim() : "unknown";
    }
  }

  static synchronized void prepare() {
    if (prepared) {
      return;
    }
    prepared = true;
    if (System.getProperty("onnxruntime.native.path") != null) {
      return;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String platform = (os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("win") ? "win" : "")
        + "-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : "");
    String[] libs = os.contains("win") ? new String[] {"onnxruntime.dll", "onnxruntime4j_jni.dll"}
        : os.contains("mac") ? new String[] {"libonnxruntime.dylib", "libonnxruntime4j_jni.dylib"}
        : new String[] {"libonnxruntime.so", "libonnxruntime4j_jni.so"};
    try {
      String version = version();
      Path dir = NativeFiles.cacheDir("onnxruntime-" + version + "-" + platform);
      for (String lib : libs) {
        String resource = "/ai/onnxruntime/native/" + platform + "/" + lib;
        try (InputStream in = OrtNative.class.getResourceAsStream(resource)) {
          if (in == null) {
            return; // not a bundled platform: let ORT decide
          }
          NativeFiles.extract(dir, lib, in, -1);
        }
      }
      System.setProperty("onnxruntime.native.path", dir.toString());
    } catch (IOException | RuntimeException e) {
      // Read-only home or the like: ONNX Runtime extracts to a temporary folder as usual.
    }
  }
}
