package org.implicit4j.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.implicit4j.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged model files are refused with the culprit named, before any large allocation (issue 13's cases). */
class ModelFileRefusalTest {
  @TempDir Path dir;
  private Path good;

  @BeforeEach
  void save() throws IOException {
    good = dir.resolve("good.i4j");
    ModelFiles.save(TestModels.Mlp.random(new Random(1), 64, 12, 10, 3).implicit(), good);
  }

  /** A copy of the good file with its manifest edited and entries replaced. */
  private Path edited(Consumer<JsonObject> edit, String entry, byte[] replacement) throws IOException {
    Path out = dir.resolve("bad.i4j");
    try (ZipFile z = new ZipFile(good.toFile()); ZipOutputStream zo = new ZipOutputStream(Files.newOutputStream(out))) {
      for (Enumeration<? extends ZipEntry> es = z.entries(); es.hasMoreElements();) {
        ZipEntry e = es.nextElement();
        byte[] data;
        try (InputStream in = z.getInputStream(e)) {
          data = in.readAllBytes();
        }
        if (e.getName().equals("manifest.json")) {
          JsonObject m = JsonParser.parseString(new String(data, StandardCharsets.UTF_8)).getAsJsonObject();
          edit.accept(m);
          data = m.toString().getBytes(StandardCharsets.UTF_8);
        } else if (e.getName().equals(entry)) {
          data = replacement;
        }
        zo.putNextEntry(new ZipEntry(e.getName()));
        zo.write(data);
        zo.closeEntry();
      }
    }
    return out;
  }

  private Path edited(Consumer<JsonObject> edit) throws IOException {
    return edited(edit, null, null);
  }

  private static void refused(Path file, String... parts) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
  }

  private static JsonObject firstA(JsonObject m) {
    return m.getAsJsonArray("A").get(0).getAsJsonObject();
  }

  @Test
  void wrongTypesAndRangesNameTheKey() throws IOException {
    refused(edited(m -> m.addProperty("n", "many")), "\"n\" is \"many\", not an integer");
    refused(edited(m -> m.addProperty("n", 2_000_000_000)), "\"n\" is 2000000000, outside");
    refused(edited(m -> firstA(m).addProperty("row", 5)), "A block 0 \"row\" is 5, outside [0, 1]");
    refused(edited(m -> firstA(m).getAsJsonObject("op").remove("rows")), "A block 0 \"rows\" is missing");
    refused(edited(m -> m.add("inputShape", JsonParser.parseString("[99999999999]"))), "\"inputShape\"",
        "not a positive integer dimension");
    refused(edited(m -> firstA(m).getAsJsonObject("op").addProperty("kind", "product")), "A block 0",
        "\"factors\" is missing");
    refused(edited(m -> {
      JsonObject op = firstA(m).getAsJsonObject("op");
      op.addProperty("kind", "sum");
      op.add("terms", new JsonArray());
    }), "a sum needs at least one operand");
  }

  /** A dense array saved transposed has the right element count: only its shape shows it. */
  @Test
  void transposedArraysAreRefusedByShape() throws IOException {
    String entry = firstA(manifest()).getAsJsonObject("op").get("data").getAsString();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Npy.writeDoubles(b, new double[12 * 10], 12, 10);
    refused(edited(m -> { }, entry, b.toByteArray()), "expected shape [10, 12], found [12, 10]");
  }

  @Test
  void hugeDeclaredArraysAreRefusedBeforeAllocation() throws IOException {
    String entry = firstA(manifest()).getAsJsonObject("op").get("data").getAsString();
    refused(edited(m -> {
      JsonObject op = firstA(m).getAsJsonObject("op");
      op.addProperty("rows", 30000);
      op.addProperty("cols", 30000);
    }), "declares 900000000 values, more than");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Npy.writeDoubles(b, new double[0], 0);
    byte[] header = new String(b.toByteArray(), StandardCharsets.ISO_8859_1).replace("(0, )", "(3000000000, )")
        .getBytes(StandardCharsets.ISO_8859_1);
    refused(edited(m -> { }, entry, header), "dimension 3000000000");
  }

  private JsonObject manifest() throws IOException {
    try (ZipFile z = new ZipFile(good.toFile()); InputStream in = z.getInputStream(z.getEntry("manifest.json"))) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }
}
