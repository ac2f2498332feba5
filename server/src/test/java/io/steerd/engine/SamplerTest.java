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

  private static List<Integer> draw(long seed, float temperature, int topK, float topP) {
    Sampler s = new Sampler(new SamplingParams(temperature, topK, topP, seed));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      out.add(s.next(LOGITS, 0f).token());
    }
    return out;
  }
}
