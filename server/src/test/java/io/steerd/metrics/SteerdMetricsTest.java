package io.steerd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SteerdMetricsTest {
  private final SteerdMetrics metrics = new SteerdMetrics();

  private Double sample(String name, String[] labels, String[] values) {
    return metrics.registry().getSampleValue(name, labels, values);
  }

  @Test
  void deletingAVectorDropsItsEditSeriesAndKeepsOthers() {
    metrics.edits.labels("happy", "ADD").inc();
    metrics.edits.labels("happy", "ABLATE").inc(2);
    metrics.edits.labels(SteerdMetrics.INLINE_VECTOR, "ADD").inc();
    metrics.aboveBreakEven.labels("happy").inc();
    String[] labels = {"vector", "operation"};

    metrics.forgetVector("happy");

    assertNull(sample("steerd_edits_total", labels, new String[] {"happy", "ADD"}));
    assertNull(sample("steerd_edits_total", labels, new String[] {"happy", "ABLATE"}));
    assertNull(sample("steerd_requests_above_break_even_total", new String[] {"vector"},
        new String[] {"happy"}));
    assertEquals(1.0, sample("steerd_edits_total", labels,
        new String[] {SteerdMetrics.INLINE_VECTOR, "ADD"}));
  }

  @Test
  void aRecordingForAVectorNoLongerKnownLeavesNoSeries() {
    String[] labels = {"vector", "operation"};
    metrics.recordIfKnown(() -> true, () -> metrics.edits.labels("kept", "ADD").inc());
    metrics.recordIfKnown(() -> false, () -> metrics.edits.labels("deleted", "ADD").inc());

    assertEquals(1.0, sample("steerd_edits_total", labels, new String[] {"kept", "ADD"}));
    assertNull(sample("steerd_edits_total", labels, new String[] {"deleted", "ADD"}));
  }

  /** Every sample labelled vector=id, as "family sample[labels][values]". */
  private java.util.Set<String> seriesOf(String vector) {
    java.util.Set<String> series = new java.util.TreeSet<>();
    java.util.Enumeration<io.prometheus.client.Collector.MetricFamilySamples> families =
        metrics.registry().metricFamilySamples();
    while (families.hasMoreElements()) {
      io.prometheus.client.Collector.MetricFamilySamples family = families.nextElement();
      for (io.prometheus.client.Collector.MetricFamilySamples.Sample sample : family.samples) {
        int at = sample.labelNames.indexOf("vector");
        if (at >= 0 && sample.labelValues.get(at).equals(vector)) {
          series.add(family.name + " " + sample.name + sample.labelNames + sample.labelValues);
        }
      }
    }
    return series;
  }

  /** The metric families labelled vector=id, with the fit's curve for the fit R². */
  private java.util.Set<String> namesOf(String vector) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (String series : seriesOf(vector)) {
      String name = series.substring(0, series.indexOf(' '));
      if (name.equals("steerd_tradeoff_fit_r2")) {
        name += series.contains("alignment") ? "/alignment" : "/helpfulness";
      }
      names.add(name);
    }
    return names;
  }

  private void fillEverySeriesOf(String vector) {
    metrics.shadowKl.labels(vector).observe(0.2);
    metrics.shadowTop1Agreement.labels(vector).observe(1);
    metrics.shadowLogitGap.labels(vector).observe(-0.5);
    for (io.steerd.steering.EditOp op : io.steerd.steering.EditOp.values()) {
      metrics.edits.labels(vector, op.name()).inc();
    }
    metrics.aboveBreakEven.labels(vector).inc();
    metrics.recordSweep(vector, io.steerd.v1.TradeoffReport.newBuilder()
        .setFits(io.steerd.v1.TradeoffFits.newBuilder()
            .setAlignment(io.steerd.v1.CurveFit.newBuilder()
                .setStatus(io.steerd.v1.FitStatus.FIT_OK).putParams("a", 0.3)
                .putParams("b0", 0).setR2(0.9))
            .setHelpfulness(io.steerd.v1.CurveFit.newBuilder()
                .setStatus(io.steerd.v1.FitStatus.FIT_OK).putParams("a", 0.5)
                .putParams("b", 0.4).setR2(0.8)))
        .setBreakEvenNorm(2.5)
        .setBreakEvenStatus(io.steerd.v1.BreakEvenStatus.BREAK_EVEN_FOUND)
        .setSweepTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000))
        .build());
  }

  @Test
  void deletingAVectorDropsEveryOneOfItsSeriesAndKeepsAnotherVectorsSeries() {
    fillEverySeriesOf("happy");
    fillEverySeriesOf("other");
    java.util.Set<String> expected = new java.util.TreeSet<>(java.util.List.of(
        "steerd_shadow_kl_nats", "steerd_shadow_top1_agreement", "steerd_shadow_logit_gap",
        "steerd_tradeoff_sweep_timestamp_seconds", "steerd_tradeoff_alignment_slope",
        "steerd_tradeoff_helpfulness_curvature", "steerd_tradeoff_fit_r2/alignment",
        "steerd_tradeoff_fit_r2/helpfulness", "steerd_tradeoff_break_even_norm",
        "steerd_edits", "steerd_requests_above_break_even"));
    assertEquals(expected, namesOf("happy"), "the fixture fills every vector-labelled series");
    java.util.Set<String> othersBefore = seriesOf("other");
    assertEquals(expected, namesOf("other"));

    metrics.forgetVector("happy");

    assertEquals(java.util.Set.of(), seriesOf("happy"));
    assertEquals(othersBefore, seriesOf("other"));
  }
}
