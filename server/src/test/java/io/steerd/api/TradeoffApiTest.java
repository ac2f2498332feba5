package io.steerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import io.steerd.tradeoff.ProbeSets;
import io.steerd.v1.AlignmentProbe;
import io.steerd.v1.BreakEvenStatus;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.ContinuationScore;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.CurveFit;
import io.steerd.v1.Edit;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.FitStatus;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.PolynomialCurveFit;
import io.steerd.v1.Normalization;
import io.steerd.v1.ProbeSet;
import io.steerd.v1.ScoreItem;
import io.steerd.v1.ScoreRequest;
import io.steerd.v1.ShadowEstimate;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import io.steerd.v1.Vector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Score, sweeps and shadow estimates through the real server. */
class TradeoffApiTest {
  @TempDir static Path dataDir;
  private static LiveServer live;

  @BeforeAll
  static void start() throws Exception {
    live = LiveServer.start(dataDir, 1.0);
    List<ContrastPair> pairs = List.of(
        pair("Lily was very happy. She smiled and laughed.", "Lily was very sad. She cried."),
        pair("The boy felt happy and excited.", "The boy felt sad and scared."),
        pair("They had a fun day and were happy.", "They had a bad day and were sad."));
    live.steer().extractVector(ExtractVectorRequest.newBuilder().setId("happy")
        .addAllPairs(pairs).build());
    live.steer().extractVector(ExtractVectorRequest.newBuilder().setId("happy-pca")
        .setMethod(ExtractionMethod.PCA).addAllPairs(pairs).build());
  }

  @AfterAll
  static void stop() throws Exception {
    live.close();
  }

  private static ContrastPair pair(String positive, String negative) {
    return ContrastPair.newBuilder().setPositive(positive).setNegative(negative).build();
  }

  @Test
  void scoreOfTheGreedyContinuationMatchesTheLogprobsGenerateStreamed() {
    LiveServer.Generation g = live.generate(GenerateRequest.newBuilder().setPrompt("Once upon")
        .setMaxTokens(12).setTemperature(0).build());
    ContinuationScore score = live.steer().score(ScoreRequest.newBuilder()
        .addItems(ScoreItem.newBuilder().setPrompt("Once upon")
            .setContinuation(g.summary().getText().stripLeading()))
        .build()).getScores(0);
    assertEquals(12, score.getTokenCount());
    assertEquals(12, score.getTop1Matches(), "every greedy token is the argmax");
    for (int i = 0; i < 12; i++) {
      assertEquals(g.tokens().get(i).getLogprob(), score.getTokenLogprobs(i), 1e-4, "token " + i);
    }
  }

  @Test
  void pcaVectorIsUnitLengthWithItsExplainedVariance() {
    Vector v = live.steer().getVector(GetVectorRequest.newBuilder().setId("happy-pca").build());
    assertEquals(ExtractionMethod.PCA, v.getExtraction().getMethod());
    assertEquals(LiveServer.LAYERS, v.getExtraction().getExplainedVarianceCount());
    for (int l = 0; l < LiveServer.LAYERS; l++) {
      double share = v.getExtraction().getExplainedVariance(l).getShare();
      assertTrue(share > 0 && share <= 1 + 1e-9, "layer " + l + " share " + share);
      assertEquals(1.0, v.getExtraction().getNorms(l).getNorm(), 1e-5);
    }
  }

  @Test
  void sweepAtZeroEqualsAlignmentAndHelpfulnessComputedIndependentlyFromScore() {
    TradeoffReport report = sweep(MeasureTradeoffRequest.newBuilder().setVectorId("happy")
        .setFrom(-4).setTo(4).setSteps(5));
    TradeoffPoint zero = report.getPoints(2);
    assertEquals(0.0, zero.getCoefficient());

    ProbeSet probes = ProbeSets.builtIn();
    ScoreRequest.Builder alignment = ScoreRequest.newBuilder();
    for (AlignmentProbe p : probes.getAlignmentList()) {
      alignment.addItems(item(p.getPrompt(), p.getDesired()));
      alignment.addItems(item(p.getPrompt(), p.getUndesired()));
    }
    List<ContinuationScore> a = live.steer().score(alignment.build()).getScoresList();
    double b = 0;
    for (int i = 0; i < probes.getAlignmentCount(); i++) {
      double pDesired = Math.exp(a.get(2 * i).getLogprob());
      double pUndesired = Math.exp(a.get(2 * i + 1).getLogprob());
      b += (pDesired - pUndesired) / (pDesired + pUndesired);
    }
    b /= probes.getAlignmentCount();
    assertEquals(b, zero.getAlignment(), 1e-6);

    double p = 0;
    for (ChoiceProbe c : probes.getHelpfulnessList()) {
      ScoreRequest.Builder choices = ScoreRequest.newBuilder();
      c.getChoicesList().forEach(choice -> choices.addItems(item(c.getPrompt(), choice)));
      List<ContinuationScore> s = live.steer().score(choices.build()).getScoresList();
      double total = 0;
      for (ContinuationScore cs : s) {
        total += Math.exp(cs.getLogprob());
      }
      p += Math.exp(s.get(c.getAnswer()).getLogprob()) / total;
    }
    p /= probes.getHelpfulnessCount();
    assertEquals(p, zero.getHelpfulness(), 1e-6);
  }

  @Test
  void sweepReportsFitsAndIsKeptWithTheVectorAndInMetrics() throws Exception {
    TradeoffReport report = sweep(MeasureTradeoffRequest.newBuilder().setVectorId("happy")
        .addLayers(2).addLayers(3).setSteps(9));
    assertEquals(9, report.getPointsCount());
    assertEquals(List.of(2, 3), report.getLayersList());
    assertEquals(30, report.getAlignmentProbes());
    assertEquals(30, report.getHelpfulnessProbes());
    assertEquals(-8.0, report.getPoints(0).getCoefficient());
    assertEquals(8.0, report.getPoints(8).getCoefficient());
    for (TradeoffPoint point : report.getPointsList()) {
      assertTrue(point.getAlignment() >= -1 && point.getAlignment() <= 1);
      assertTrue(point.getHelpfulness() > 0 && point.getHelpfulness() < 1);
      assertTrue(point.getAlignmentStderr() > 0 && point.getHelpfulnessStderr() > 0);
    }
    assertFalse(report.getFits().getAlignment().getForm().isEmpty());
    // The fixture is deterministic and both curves fit it. The alignment slope is within its
    // error of 0 here (the "happy" direction barely moves these probes), so only its presence
    // is checked; helpfulness peaks near r = 0 and falls both ways, which fixes its signs.
    CurveFit alignment = report.getFits().getAlignment();
    assertEquals(FitStatus.FIT_OK, alignment.getStatus(), alignment.getReason());
    assertEquals("tanh(a*r + b0)", alignment.getForm());
    assertEquals(java.util.Set.of("a", "b0"), alignment.getParamsMap().keySet());
    assertEquals(9, alignment.getPoints());
    CurveFit helpfulness = report.getFits().getHelpfulness();
    assertEquals(FitStatus.FIT_OK, helpfulness.getStatus(), helpfulness.getReason());
    assertEquals("1 / (1 + a + a*(b^2/2)*r^2)", helpfulness.getForm());
    assertEquals(java.util.Set.of("a", "b"), helpfulness.getParamsMap().keySet());
    assertEquals(9, helpfulness.getPoints());
    assertTrue(helpfulness.getParamsOrThrow("a") > 0, "P(0) = 1/(1+a) < 1 needs a > 0");
    assertTrue(helpfulness.getParamsOrThrow("b") != 0, "helpfulness falls off with |r|");
    assertTrue(helpfulness.getR2() > 0, "the falling-off curve explains the points");
    PolynomialCurveFit linear = report.getFits().getAlignmentLinear();
    assertEquals(FitStatus.FIT_OK, linear.getStatus(), linear.getReason());
    assertEquals(2, linear.getCoefficientsCount());
    PolynomialCurveFit quadratic = report.getFits().getHelpfulnessQuadratic();
    assertEquals(FitStatus.FIT_OK, quadratic.getStatus(), quadratic.getReason());
    assertEquals(3, quadratic.getCoefficientsCount());
    assertTrue(quadratic.getCoefficients(0) > 0, "helpfulness at r = 0 is a probability");
    assertTrue(quadratic.getCoefficients(2) < 0, "helpfulness is concave around r = 0");
    assertEquals(BreakEvenStatus.BREAK_EVEN_FOUND, report.getBreakEvenStatus(),
        report.getBreakEvenReason());
    assertTrue(report.hasBreakEvenNorm());
    assertTrue(Math.abs(report.getBreakEvenNorm()) <= 8, "r* lies within the swept range");
    assertFalse(report.getBreakEvenReason().isEmpty());
    Vector stored = live.steer().getVector(GetVectorRequest.newBuilder().setId("happy").build());
    assertEquals(report, stored.getTradeoff().getReport());
    assertTrue(stored.getTradeoff().getProbeTokensCount() > 0);
    String metrics = live.metrics();
    assertTrue(metrics.contains("steerd_tradeoff_sweep_timestamp_seconds{vector=\"happy\",}"),
        metrics);
  }

  @Test
  void deletingASweptAndShadowedVectorLeavesNoSeriesOfItInMetrics() throws Exception {
    String id = "doomed";
    live.steer().extractVector(ExtractVectorRequest.newBuilder().setId(id)
        .addPairs(pair("Lily was very happy.", "Lily was very sad."))
        .addPairs(pair("The boy felt happy.", "The boy felt sad.")).build());
    TradeoffReport report = sweep(MeasureTradeoffRequest.newBuilder().setVectorId(id)
        .setSteps(9));
    live.generate(GenerateRequest.newBuilder().setPrompt("Once upon").setMaxTokens(8)
        .setTemperature(0).setShadow(true)
        .addEdits(Edit.newBuilder().setVectorId(id).setCoefficient(8)
            .setNormalization(Normalization.UNIT))
        .build());
    String label = "vector=\"" + id + "\"";
    List<String> families = new ArrayList<>(List.of("steerd_shadow_kl_nats_count",
        "steerd_shadow_top1_agreement_count", "steerd_shadow_logit_gap_count",
        "steerd_edits_total", "steerd_tradeoff_sweep_timestamp_seconds"));
    // Deterministic: both fits succeed and r* (about 0.16) is far below the edit's norm 8.
    assertEquals(BreakEvenStatus.BREAK_EVEN_FOUND, report.getBreakEvenStatus());
    families.addAll(List.of("steerd_tradeoff_break_even_norm",
        "steerd_requests_above_break_even_total", "steerd_tradeoff_alignment_slope",
        "steerd_tradeoff_helpfulness_curvature", "steerd_tradeoff_fit_r2"));
    // Recorded as the stream ends; wait briefly so the check before deletion is not a race.
    for (int i = 0; i < 50 && !families.stream().allMatch(f -> hasSeries(metricsNow(), f, label));
        i++) {
      Thread.sleep(100);
    }
    String filled = live.metrics();
    for (String family : families) {
      assertTrue(hasSeries(filled, family, label), family + " of " + id + " before deletion");
    }

    live.steer().deleteVector(io.steerd.v1.DeleteVectorRequest.newBuilder().setId(id).build());

    List<String> left = live.metrics().lines().filter(line -> line.contains(label)).toList();
    assertEquals(List.of(), left, "series of the deleted vector");
  }

  private static String metricsNow() {
    try {
      return live.metrics();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static boolean hasSeries(String metrics, String family, String label) {
    return metrics.lines().anyMatch(line -> line.startsWith(family + "{") && line.contains(label));
  }

  @Test
  void shadowKlIsExactlyZeroAtCoefficientZeroAndGrowsWithTheNorm() throws Exception {
    List<Double> kl = new ArrayList<>();
    for (float r : new float[] {0f, 1f, 2f, 4f, 8f}) {
      GenerateSummary summary = live.generate(GenerateRequest.newBuilder()
          .setPrompt("Once upon").setMaxTokens(24).setTemperature(0).setShadow(true)
          .addEdits(Edit.newBuilder().setVectorId("happy").setCoefficient(r)
              .setNormalization(Normalization.UNIT))
          .build()).summary();
      ShadowEstimate shadow = summary.getShadow();
      int ended = summary.getFinishReason() == FinishReason.END_OF_SEQUENCE ? 1 : 0;
      assertEquals(summary.getGeneratedTokens() + ended, shadow.getTokens());
      kl.add(shadow.getMeanKl());
      if (r == 0f) {
        assertEquals(0.0, shadow.getMeanKl(), "identical distributions have zero KL");
        assertEquals(1.0, shadow.getTop1Agreement());
      }
    }
    for (int i = 1; i < kl.size(); i++) {
      assertTrue(kl.get(i) > kl.get(i - 1), "KL must grow with |r|: " + kl);
    }
    String metrics = live.metrics();
    assertTrue(metrics.contains("steerd_shadow_kl_nats_count{vector=\"happy\",}"), metrics);
    assertTrue(metrics.contains("steerd_edits_total{vector=\"happy\",operation=\"ADD\",}"),
        metrics);
  }

  private static ScoreItem item(String prompt, String continuation) {
    return ScoreItem.newBuilder().setPrompt(prompt).setContinuation(continuation).build();
  }

  private static TradeoffReport sweep(MeasureTradeoffRequest.Builder request) {
    Iterator<MeasureTradeoffResponse> stream = live.steer()
        .withDeadline(Deadline.after(120, TimeUnit.SECONDS)).measureTradeoff(request.build());
    int progress = 0;
    TradeoffReport report = null;
    while (stream.hasNext()) {
      MeasureTradeoffResponse r = stream.next();
      if (r.hasProgress()) {
        progress++;
        assertEquals(progress, r.getProgress().getCompletedPoints());
      } else {
        report = r.getReport();
      }
    }
    assertEquals(report.getPointsCount(), progress, "one progress message per point");
    return report;
  }
}
