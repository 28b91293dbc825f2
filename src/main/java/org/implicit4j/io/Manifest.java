package org.implicit4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;

/**
 * Typed reads of a model file's manifest: each value is checked to be present and of the type due
 * (an integer in range, a string, an array, an object), and a wrong one is refused naming the file,
 * where in the manifest, the key and what was found.
 */
final class Manifest {
  private final Path path;

  Manifest(Path path) {
    this.path = path;
  }

  ModelFormatException error(String where, String key, String what) {
    return new ModelFormatException(path + ": manifest " + where + " \"" + key + "\" " + what);
  }

  private JsonElement get(JsonObject o, String key, String where) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      throw error(where, key, "is missing");
    }
    return e;
  }

  /** An integer in [min, max]. */
  int integer(JsonObject o, String key, String where, long min, long max) {
    JsonElement e = get(o, key, where);
    if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
      throw error(where, key, "is " + e + ", not an integer");
    }
    double d = p.getAsDouble();
    if (d != Math.rint(d) || Double.isInfinite(d)) {
      throw error(where, key, "is " + e + ", not an integer");
    }
    if (d < min || d > max) {
      throw error(where, key, "is " + e + ", outside [" + min + ", " + max + "]");
    }
    return (int) d;
  }

  String string(JsonObject o, String key, String where) {
    JsonElement e = get(o, key, where);
    if (!(e instanceof JsonPrimitive p) || !p.isString()) {
      throw error(where, key, "is " + e + ", not a string");
    }
    return p.getAsString();
  }

  JsonArray array(JsonObject o, String key, String where) {
    JsonElement e = get(o, key, where);
    if (!e.isJsonArray()) {
      throw error(where, key, "is " + e + ", not an array");
    }
    return e.getAsJsonArray();
  }

  JsonObject object(JsonObject o, String key, String where) {
    JsonElement e = get(o, key, where);
    if (!e.isJsonObject()) {
      throw error(where, key, "is not an object");
    }
    return e.getAsJsonObject();
  }

  /** Element i of an array as an object. */
  JsonObject object(JsonArray a, int i, String where) {
    if (!a.get(i).isJsonObject()) {
      throw new ModelFormatException(path + ": manifest " + where + " entry " + i + " is not an object");
    }
    return a.get(i).getAsJsonObject();
  }

  /** A shape: an array of integers, each in [1, 2³¹ − 1], whose product stays below {@code max}. */
  int[] shape(JsonObject o, String key, String where, long max) {
    JsonArray a = array(o, key, where);
    int[] r = new int[a.size()];
    long size = 1;
    for (int i = 0; i < r.length; i++) {
      JsonElement e = a.get(i);
      if (!(e instanceof JsonPrimitive p) || !p.isNumber() || p.getAsDouble() != Math.rint(p.getAsDouble())
          || p.getAsDouble() < 1 || p.getAsDouble() > Integer.MAX_VALUE) {
        throw error(where, key, "has " + e + ", not a positive integer dimension");
      }
      r[i] = p.getAsInt();
      size *= r[i];
      if (size > max) {
        throw error(where, key, a + " holds more than " + max + " values");
      }
    }
    return r;
  }
}
