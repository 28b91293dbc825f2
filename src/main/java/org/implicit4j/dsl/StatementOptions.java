package org.implicit4j.dsl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.antlr.v4.runtime.ParserRuleContext;
import org.implicit4j.dsl.parser.ImplicitParser;

/**
 * The options of one statement ("sigma 0.1", "k 1, 2, 5", "method \"lp\"", "lp"), each name once and
 * each known to the statement; typed getters raise script errors at the option's place.
 */
final class StatementOptions {
  private final Map<String, ImplicitParser.OptionContext> byName = new LinkedHashMap<>();
  private final BiFunction<ParserRuleContext, String, ScriptException> error;
  private final Function<String, Path> paths;

  StatementOptions(List<ImplicitParser.OptionContext> options, Set<String> known, String statement,
      BiFunction<ParserRuleContext, String, ScriptException> error, Function<String, Path> paths) {
    this.error = error;
    this.paths = paths;
    for (ImplicitParser.OptionContext o : options) {
      String name = o.key.getText();
      if (!known.contains(name)) {
        throw error.apply(o, "unknown option '" + name + "' of " + statement + "; expected one of " + known);
      }
      if (byName.put(name, o) != null) {
        throw error.apply(o, "option '" + name + "' given twice");
      }
    }
  }

  boolean has(String name) {
    return byName.containsKey(name);
  }

  /** A flag: present without a value. */
  boolean flag(String name) {
    ImplicitParser.OptionContext o = byName.get(name);
    if (o != null && (o.STRING() != null || !o.number().isEmpty())) {
      throw error.apply(o, "'" + name + "' takes no value");
    }
    return o != null;
  }

  double[] numbers(String name, int min, int max) {
    ImplicitParser.OptionContext o = byName.get(name);
    if (o.number().size() < min || o.number().size() > max || o.STRING() != null) {
      throw error.apply(o, "'" + name + "' takes " + (min == max ? min : min + " to " + max) + " number"
          + (max == 1 ? "" : "s"));
    }
    double[] v = new double[o.number().size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Double.parseDouble(o.number(i).getText());
    }
    return v;
  }

  double number(String name, double otherwise) {
    return has(name) ? numbers(name, 1, 1)[0] : otherwise;
  }

  int integer(String name, int otherwise) {
    if (!has(name)) {
      return otherwise;
    }
    double v = numbers(name, 1, 1)[0];
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw error.apply(byName.get(name), "'" + name + "' must be an integer, got " + v);
    }
    return (int) v;
  }

  int[] integers(String name, int[] otherwise) {
    if (!has(name)) {
      return otherwise;
    }
    double[] v = numbers(name, 1, Integer.MAX_VALUE);
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
        throw error.apply(byName.get(name), "'" + name + "' takes integers, got " + v[i]);
      }
      r[i] = (int) v[i];
    }
    return r;
  }

  String string(String name, String otherwise) {
    ImplicitParser.OptionContext o = byName.get(name);
    if (o == null) {
      return otherwise;
    }
    if (o.STRING() == null) {
      throw error.apply(o, "'" + name + "' takes a string in quotes");
    }
    return ScriptRunner.unquote(o.STRING().getSymbol());
  }

  /** A path option, relative to the script's folder. */
  Path path(String name) {
    String s = string(name, null);
    return s == null ? null : paths.apply(s);
  }
}
