package io.steerd.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;
import io.steerd.steering.EditOp;
import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.TradeoffReport;
import java.util.function.BooleanSupplier;

/**
 * Every metric steerd exports, in one registry per server. Names follow Prometheus conventions:
 * the steerd_ prefix, base units (seconds), _total on counters, and label sets bounded by the
 * API (method names, status codes, edit operations) or by the vector registry (vector ids, whose
 * series are dropped when the vector is deleted).
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
  /** The vector label of edits whose values came inline; no registered id starts with '_'. */
  public static final String INLINE_VECTOR = "_inline";

  public final Counter edits = Counter.build("steerd_edits_total",
          "Edits applied by Generate requests, by vector id (_inline for inline values) and "
              + "operation.")
      .labelNames("vector", "operation").register(registry);
  public final Histogram appliedNorm = Histogram.build("steerd_applied_edit_norm",
          "L2 norm added to the residual stream per edit and layer (c times the vector's norm, "
              + "or c under UNIT normalisation).")
      .buckets(0.01, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128)
      .register(registry);

  public final Histogram shadowKl = Histogram.build("steerd_shadow_kl_nats",
          "Per generated token of shadowed requests: KL(steered || unsteered) of the next-token "
              + "distributions, in nats.")
      .labelNames("vector")
      .buckets(0.0001, 0.001, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
      .register(registry);
  public final Histogram shadowTop1Agreement = Histogram.build("steerd_shadow_top1_agreement",
          "Per generated token of shadowed requests: 1 when steered and unsteered top-1 tokens "
              + "agree, else 0; sum / count is the agreement rate.")
      .labelNames("vector")
      .buckets(0.5)
      .register(registry);
  public final Histogram shadowLogitGap = Histogram.build("steerd_shadow_logit_gap",
          "Per generated token of shadowed requests whose vector has probes: mean steered logit "
              + "of desired minus undesired probe first tokens.")
      .labelNames("vector")
      .buckets(-8, -4, -2, -1, -0.5, 0, 0.5, 1, 2, 4, 8)
      .register(registry);
  public final Counter aboveBreakEven = Counter.build("steerd_requests_above_break_even_total",
          "Generate requests that steered with a vector beyond its last sweep's break-even norm.")
      .labelNames("vector").register(registry);
  public final Gauge alignmentSlope = Gauge.build("steerd_tradeoff_alignment_slope",
          "Last sweep: a of the fitted alignment B(r) = tanh(a r + b0), per unit of norm.")
      .labelNames("vector").register(registry);
  public final Gauge helpfulnessCurvature = Gauge.build("steerd_tradeoff_helpfulness_curvature",
          "Last sweep: -P''(0) of the fitted helpfulness P(r) = 1 / (1 + a + a (b^2/2) r^2), "
              + "i.e. a b^2 / (1 + a)^2.")
      .labelNames("vector").register(registry);
  public final Gauge fitR2 = Gauge.build("steerd_tradeoff_fit_r2",
          "Last sweep: coefficient of determination of each curve's fit.")
      .labelNames("vector", "curve").register(registry);
  public final Gauge breakEvenNorm = Gauge.build("steerd_tradeoff_break_even_norm",
          "Last sweep: the norm r* where marginal alignment gain equals marginal helpfulness "
              + "loss (absent when none was found).")
      .labelNames("vector").register(registry);
  public final Gauge sweepTime = Gauge.build("steerd_tradeoff_sweep_timestamp_seconds",
          "Unix time of the vector's last completed sweep.")
      .labelNames("vector").register(registry);

  public SteerdMetrics() {
    DefaultExports.register(registry);
  }

  /** Publishes a vector's last sweep; failed fits and a missing r* leave their series absent. */
  public synchronized void recordSweep(String vector, TradeoffReport report) {
    forgetSweep(vector);
    CurveFit alignment = report.getFits().getAlignment();
    CurveFit helpfulness = report.getFits().getHelpfulness();
    if (alignment.getStatus() == FitStatus.FIT_OK) {
      alignmentSlope.labels(vector).set(alignment.getParamsOrThrow("a"));
      fitR2.labels(vector, "alignment").set(alignment.getR2());
    }
    if (helpfulness.getStatus() == FitStatus.FIT_OK) {
      double a = helpfulness.getParamsOrThrow("a");
      double b = helpfulness.getParamsOrThrow("b");
      helpfulnessCurvature.labels(vector).set(a * b * b / ((1 + a) * (1 + a)));
      fitR2.labels(vector, "helpfulness").set(helpfulness.getR2());
    }
    if (report.hasBreakEvenNorm()) {
      breakEvenNorm.labels(vector).set(report.getBreakEvenNorm());
    }
    sweepTime.labels(vector).set(report.getSweepTime().getSeconds()
        + report.getSweepTime().getNanos() / 1e9);
  }

  /**
   * Runs a recording of per-vector series only if its vector is still known, atomically with
   * {@link #forgetVector}: a generation that outlives its vector's deletion would otherwise
   * bring the dropped series back.
   */
  public synchronized void recordIfKnown(BooleanSupplier known, Runnable record) {
    if (known.getAsBoolean()) {
      record.run();
    }
  }

  /** Drops every per-vector series of a deleted vector, keeping label sets bounded. */
  public synchronized void forgetVector(String vector) {
    forgetSweep(vector);
    for (EditOp op : EditOp.values()) {
      edits.remove(vector, op.name());
    }
    aboveBreakEven.remove(vector);
    shadowKl.remove(vector);
    shadowTop1Agreement.remove(vector);
    shadowLogitGap.remove(vector);
  }

  private void forgetSweep(String vector) {
    alignmentSlope.remove(vector);
    helpfulnessCurvature.remove(vector);
    fitR2.remove(vector, "alignment");
    fitR2.remove(vector, "helpfulness");
    breakEvenNorm.remove(vector);
    sweepTime.remove(vector);
  }

  public CollectorRegistry registry() {
    return registry;
  }
}
