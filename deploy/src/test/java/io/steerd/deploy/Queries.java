package io.steerd.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The PromQL that deploy/ ships: the Grafana dashboard's panels and the PrometheusRule alerts. */
final class Queries {
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final YAMLMapper YAML = new YAMLMapper();
  static final Path DASHBOARD = Repo.path("deploy/grafana/steerd-dashboard.json");

  private static final Pattern STEERD_METRIC = Pattern.compile("\\bsteerd_[a-z0-9_]+\\b");
  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");
  /** What Grafana would put in for the dashboard's variables when every value is selected. */
  private static final Map<String, String> VARIABLE_VALUES = Map.of(
      "job", ".*", "vector", ".*", "__rate_interval", "1m");

  private Queries() {}

  /** Every expression of every panel target and query variable of the dashboard. */
  static List<String> dashboard() throws IOException {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        exprs.add(variable.path("query").path("query").asText());
      }
    }
    return exprs;
  }

  /** The PrometheusRule resources under deploy/k8s, as written in the repo. */
  static List<JsonNode> prometheusRules() throws IOException {
    List<JsonNode> rules = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Repo.path("deploy/k8s"))) {
      for (Path file : files.filter(f -> f.toString().matches(".*\\.ya?ml")).toList()) {
        for (JsonNode doc : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class)
            .readAll()) {
          if (doc != null && doc.path("kind").asText().equals("PrometheusRule")) {
            rules.add(doc);
          }
        }
      }
    }
    return rules;
  }

  static List<String> alerts() throws IOException {
    return alertRules().stream().map(r -> r.path("expr").asText()).toList();
  }

  /** The alert names, in file order. */
  static List<String> alertNames() throws IOException {
    return alertRules().stream().map(r -> r.path("alert").asText(r.path("record").asText()))
        .toList();
  }

  private static List<JsonNode> alertRules() throws IOException {
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode resource : prometheusRules()) {
      for (JsonNode group : resource.path("spec").path("groups")) {
        group.path("rules").forEach(rules::add);
      }
    }
    return rules;
  }

  /** A Prometheus rule file (the PrometheusRule specs' groups) for a plain Prometheus server. */
  static void writeRuleFile(Path file) throws IOException {
    List<JsonNode> groups = new ArrayList<>();
    for (JsonNode rule : prometheusRules()) {
      rule.path("spec").path("groups").forEach(groups::add);
    }
    new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), Map.of("groups", groups));
  }

  static Set<String> metricNames(List<String> exprs) {
    Set<String> names = new TreeSet<>();
    for (String expr : exprs) {
      Matcher m = STEERD_METRIC.matcher(expr);
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** The expression as Grafana sends it to Prometheus with "All" selected. */
  static String substituteVariables(String expr) {
    Matcher m = GRAFANA_VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = VARIABLE_VALUES.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("unknown dashboard variable $" + m.group(1)
            + " in " + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }
}
