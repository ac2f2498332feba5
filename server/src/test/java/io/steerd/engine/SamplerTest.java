package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float[] LOGITS = {2f, 1f, 0.5f, 3f, -1f, 0f};

  @Test
  void greedyPicksTheLargestLogitAndReportsItsLogSoftmax() {
    double sum = 0;
    for (float l : LOGITS) {
      sum += Math.exp(l);
    }
    float normalizer = (float) Math.log(sum);
    Sampler.Choice c = new Sampler(SamplingParams.greedy()).next(LOGITS, normalizer);
    assertEquals(3, c.token());
    assertEquals(3 - Math.log(sum), c.logprob(), 1e-6);
  }

  @Test
  void sameSeedSameSequenceDifferentSeedDifferentSequence() {
    assertEquals(draw(42, 1f, 0, 1f), draw(42, 1f, 0, 1f));
    assertNotEquals(draw(42, 1f, 0, 1f), draw(43, 1f, 0, 1f));
  }

  @Test
  void topKAndTopPRestrictTheCandidates() {
    assertTrue(draw(1, 5f, 2, 1f).stream().allMatch(t -> t == 3 || t == 0), "top-2 is {3, 0}");
    // p(3) is about 0.57 at temperature 1, so top_p 0.5 leaves only token 3.
    assertTrue(draw(1, 1f, 0, 0.5f).stream().allMatch(t -> t == 3));
  }

  @Test
  void topKFrequenciesFollowTheRenormalisedDistributionAndTiesGoToLowerIds() {
    float[] logits = {1f, 1f, 1f, 0f, 2f};
    Sampler s = new Sampler(new SamplingParams(1f, 3, 1f, 5));
    int[] counts = new int[logits.length];
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      counts[s.next(logits, 0f).token()]++;
    }
    // Top 3: id 4 (logit 2), then ids 0 and 1 of the three tied at 1; ids 2 and 3 never.
    assertEquals(0, counts[2]);
    assertEquals(0, counts[3]);
    double z = Math.exp(2) + 2 * Math.exp(1);
    assertEquals(Math.exp(2) / z, counts[4] / (double) draws, 0.01);
    assertEquals(Math.exp(1) / z, counts[0] / (double) draws, 0.01);
    assertEquals(Math.exp(1) / z, counts[1] / (double) draws, 0.01);
  }

  @Test
  void unrestrictedSamplingFollowsTheTemperedDistribution() {
    Sampler s = new Sampler(new SamplingParams(2f, 0, 1f, 9));
    int[] counts = new int[LOGITS.length];
    int draws = 60_000;
    for (int i = 0; i < draws; i++) {
      counts[s.next(LOGITS, 0f).token()]++;
    }
    double z = 0;
    for (float l : LOGITS) {
      z += Math.exp(l / 2);
    }
    for (int i = 0; i < LOGITS.length; i++) {
      assertEquals(Math.exp(LOGITS[i] / 2) / z, counts[i] / (double) draws, 0.01, "token " + i);
    }
  }

  private static List<Integer> draw(long seed, float temperature, int topK, float topP) {
    Sampler s = new Sampler(new SamplingParams(temperature, topK, topP, seed));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      out.add(s.next(LOGITS, 0f).token());
    }
    return out;
  }
}
