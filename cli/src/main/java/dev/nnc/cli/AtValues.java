package dev.nnc.cli;

import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code --at 'x=-2,W=[[0.1,0.5],[-0.3,0.8]]'}: names with numbers or JSON arrays,
 * separated by commas outside brackets.
 */
final class AtValues {
  private AtValues() {}

  /** The values by name, each flattened row-major with its nested shape. */
  record Value(double[] data, Shape shape) {}

  static Map<String, Value> parse(String text) {
    Map<String, Value> out = new LinkedHashMap<>();
    for (String part : splitTopLevel(text)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new UserError("--at: expected name=value, got '" + part.trim() + "'", 2);
      }
      String name = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      if (value.isEmpty()) {
        throw new UserError("--at: no value given for " + name, 2);
      }
      Object parsed;
      try {
        parsed = Json.parse(value);
      } catch (NncException e) {
        throw new UserError("--at: the value of " + name + " is not a number or JSON array: '"
            + value + "'", 2);
      }
      List<Integer> dims = new ArrayList<>();
      List<Double> flat = new ArrayList<>();
      flatten(name, parsed, 0, dims, flat);
      double[] data = new double[flat.size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = flat.get(i);
      }
      if (out.put(name, new Value(data, new Shape(dims))) != null) {
        throw new UserError("--at: " + name + " is given twice", 2);
      }
    }
    return out;
  }

  private static void flatten(String name, Object v, int depth, List<Integer> dims, List<Double> out) {
    if (v instanceof Number n) {
      if (depth != dims.size()) {
        throw new UserError("--at: the value of " + name + " is a ragged array", 2);
      }
      if (!Double.isFinite(n.doubleValue())) {
        throw new UserError("--at: the value of " + name + " has a number out of range", 2);
      }
      out.add(n.doubleValue());
      return;
    }
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      throw new UserError("--at: the value of " + name + " must be a number or a non-empty array"
          + " of numbers", 2);
    }
    if (dims.size() == depth) {
      dims.add(list.size());
    } else if (depth >= dims.size() || dims.get(depth) != list.size()) {
      throw new UserError("--at: the value of " + name + " is a ragged array", 2);
    }
    for (Object o : list) {
      flatten(name, o, depth + 1, dims, out);
    }
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    parts.removeIf(p -> p.isBlank());
    return parts;
  }
}
