package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every metric the Grafana dashboard and the alert rules query is exported by a live server. */
class DashboardMetricsTest {
  private static ServerProcess server;
  private static long generated;
  private static Map<String, Double> exported;

  @BeforeAll
  static void driveTraffic() throws Exception {
    server = ServerProcess.start();
    generated = Traffic.drive(server.steer());
    exported = Exposition.totals(server.scrape());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyMetricTheDashboardQueriesIsExported() throws Exception {
    assertExported(Queries.metricNames(Queries.dashboard()));
  }

  @Test
  void everyMetricTheAlertRulesQueryIsExported() throws Exception {
    assertFalse(Queries.alerts().isEmpty(), "deploy/k8s has no PrometheusRule alerts");
    assertExported(Queries.metricNames(Queries.alerts()));
  }

  @Test
  void theDashboardShowsWhatAnOperatorNeeds() throws Exception {
    Set<String> queried = Queries.metricNames(Queries.dashboard());
    for (String needed : List.of("steerd_generated_tokens_total",
        "steerd_time_to_first_token_seconds_bucket", "steerd_inter_token_latency_seconds_bucket",
        "steerd_running_streams", "steerd_queued_requests", "steerd_edits_total",
        "steerd_applied_edit_norm_bucket", "steerd_tradeoff_break_even_norm",
        "steerd_tradeoff_alignment_slope", "steerd_tradeoff_helpfulness_curvature",
        "steerd_shadow_kl_nats_sum", "steerd_shadow_kl_nats_count")) {
      assertTrue(queried.contains(needed), "the dashboard does not show " + needed);
    }
  }

  @Test
  void theAlertsCoverBreakEvenShadowKlLatencyAndErrors() throws Exception {
    Set<String> queried = Queries.metricNames(Queries.alerts());
    for (String needed : List.of("steerd_requests_above_break_even_total",
        "steerd_shadow_kl_nats_sum", "steerd_time_to_first_token_seconds_bucket",
        "steerd_requests_total")) {
      assertTrue(queried.contains(needed), "no alert reads " + needed);
    }
  }

  @Test
  void theTrafficReachedTheCounters() {
    assertEquals((double) generated, exported.get("steerd_generated_tokens_total"));
    assertTrue(exported.getOrDefault("steerd_requests_above_break_even_total", 0.0) >= 3);
  }

  private static void assertExported(Set<String> queried) {
    assertFalse(queried.isEmpty());
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exported.keySet());
    assertTrue(missing.isEmpty(), "queried but not exported after traffic: " + missing
        + "\nexported: " + exported.keySet());
  }
}
