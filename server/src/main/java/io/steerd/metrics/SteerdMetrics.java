package io.steerd.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;

/**
 * Every metric steerd exports, in one registry per server. Names follow Prometheus conventions:
 * the steerd_ prefix, base units (seconds), _total on counters, and label sets bounded by the
 * API (method names, status codes, edit operations).
 */
public final class SteerdMetrics {
  private final CollectorRegistry registry = new CollectorRegistry(true);

  public final Counter requests = Counter.build("steerd_requests_total",
          "gRPC requests finished, by method and status code.")
      .labelNames("method", "code").register(registry);
  public final Counter promptTokens = Counter.build("steerd_prompt_tokens_total",
      "Prompt tokens processed by Generate.").register(registry);
  public final Counter generatedTokens = Counter.build("steerd_generated_tokens_total",
      "Tokens generated and streamed by Generate.").register(registry);
  public final Histogram timeToFirstToken = Histogram.build("steerd_time_to_first_token_seconds",
          "From a Generate request's arrival to its first streamed token.")
      .buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register(registry);
  public final Histogram interTokenLatency = Histogram.build("steerd_inter_token_latency_seconds",
          "Time between consecutive streamed tokens of one Generate request.")
      .buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
      .register(registry);
  public final Gauge runningStreams = Gauge.build("steerd_running_streams",
      "Generate streams in progress, queued or running.").register(registry);
  public final Gauge queuedRequests = Gauge.build("steerd_queued_requests",
      "Requests waiting for the model.").register(registry);
  public final Counter edits = Counter.build("steerd_edits_total",
          "Edits applied by Generate requests, by operation.")
      .labelNames("operation").register(registry);
  public final Histogram appliedNorm = Histogram.build("steerd_applied_edit_norm",
          "L2 norm added to the residual stream per edit and layer (c times the vector's norm, "
              + "or c under UNIT normalisation).")
      .buckets(0.01, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128)
      .register(registry);

  public SteerdMetrics() {
    DefaultExports.register(registry);
  }

  public CollectorRegistry registry() {
    return registry;
  }
}
