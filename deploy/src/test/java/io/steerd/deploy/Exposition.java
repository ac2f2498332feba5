package io.steerd.deploy;

import java.util.Map;
import java.util.TreeMap;

/** Sample names and values of a Prometheus text exposition, labels folded into the key. */
final class Exposition {
  private Exposition() {}

  /** Sample name (without labels) to the sum of its series' values. */
  static Map<String, Double> totals(String text) {
    Map<String, Double> totals = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
      totals.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
    }
    return totals;
  }

  /** The value of one series, given its exact exposition key such as {@code a_total{code="OK",}}. */
  static double series(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key + " ")) {
        return Double.parseDouble(line.substring(key.length() + 1));
      }
    }
    return 0;
  }
}
