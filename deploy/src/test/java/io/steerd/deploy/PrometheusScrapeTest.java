package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's prometheus package) scrapes a running steerd with the
 * shipped alert rules loaded, and answers queries over its HTTP API.
 */
class PrometheusScrapeTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path work;
  private static ServerProcess steerd;
  private static Process prometheus;
  private static String api;
  private static long generated;

  @BeforeAll
  static void start() throws Exception {
    Path binary = Tools.require("prometheus", "apt-get install prometheus");
    steerd = ServerProcess.start();
    generated = Traffic.drive(steerd.steer());

    Path rules = work.resolve("steerd-rules.yaml");
    Queries.writeRuleFile(rules);
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files: ['" + rules + "']",
        "scrape_configs:",
        "  - job_name: steerd",
        "    static_configs:",
        "      - targets: ['" + steerd.metricsTarget() + "']",
        ""));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    api = "http://127.0.0.1:" + port + "/api/v1/";
    prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile())
        .start();
    await("up{job=\"steerd\"} == 1", r -> r.size() == 1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor();
      }
    }
    if (steerd != null) {
      steerd.close();
    }
  }

  @Test
  void prometheusScrapesTheGeneratedTokenCounter() throws Exception {
    JsonNode result = await("steerd_generated_tokens_total", r -> r.size() == 1);
    assertEquals("steerd", result.get(0).path("metric").path("job").asText());
    double scraped = Double.parseDouble(result.get(0).path("value").get(1).asText());
    assertTrue(scraped > 0, "generated-token counter is " + scraped);
    assertEquals((double) generated, scraped, "Prometheus holds what the server counted");
  }

  @Test
  void everyDashboardQueryRunsAndReturnsSeries() throws Exception {
    await("steerd_tradeoff_break_even_norm", r -> r.size() == 1);
    // A rate needs two samples inside its window: wait until one has them.
    await("rate(steerd_generated_tokens_total[1m])", r -> r.size() == 1);
    List<String> empty = new ArrayList<>();
    for (String expr : Queries.dashboard()) {
      String promql = Queries.substituteVariables(expr);
      if (promql.startsWith("label_values(")) {
        continue;
      }
      JsonNode result = query(promql);
      if (result.isEmpty()) {
        empty.add(promql);
      }
    }
    // Rates of counters that stopped moving are 0, not absent, so every panel has data.
    assertTrue(empty.isEmpty(), "dashboard queries with no series: " + empty);
  }

  @Test
  void theShippedAlertRulesLoadAndEvaluate() throws Exception {
    List<String> names = Queries.alertNames();
    assertFalse(names.isEmpty());
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    List<String> unhealthy;
    do {
      unhealthy = new ArrayList<>();
      List<String> loaded = new ArrayList<>();
      for (JsonNode group : get("rules").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          loaded.add(rule.path("name").asText());
          if (!rule.path("health").asText().equals("ok")) {
            unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText()
                + " " + rule.path("lastError").asText());
          }
        }
      }
      assertEquals(new TreeSet<>(names), new TreeSet<>(loaded),
          "Prometheus loaded the rules deploy/k8s ships");
      if (unhealthy.isEmpty()) {
        return;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("rules not healthy: " + unhealthy);
  }

  /** Polls an instant query until its result satisfies the condition. */
  private static JsonNode await(String promql, Predicate<JsonNode> ready) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    JsonNode result = null;
    while (System.nanoTime() < deadline) {
      try {
        result = query(promql);
        if (ready.test(result)) {
          return result;
        }
      } catch (IOException notUpYet) {
        result = null;
      }
      assertTrue(prometheus.isAlive(), "prometheus exited:\n"
          + Files.readString(work.resolve("prometheus.log")));
      Thread.sleep(500);
    }
    throw new AssertionError(promql + " never became ready; last result " + result + "\n"
        + Files.readString(work.resolve("prometheus.log")));
  }

  private static JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode body = get("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return body.path("result");
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = Queries.JSON.readTree(response.body());
    if (response.statusCode() != 200 || !body.path("status").asText().equals("success")) {
      throw new AssertionError(path + " answered " + response.statusCode() + ": "
          + response.body());
    }
    return body.path("data");
  }
}
