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
}
