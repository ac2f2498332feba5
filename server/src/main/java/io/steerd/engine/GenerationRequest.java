package io.steerd.engine;

import io.steerd.steering.SteeringPlan;
import java.util.List;

/**
 * A validated generation: what the scheduler runs.
 *
 * @param ignoreEos keep generating past end-of-sequence tokens (benchmarks want exact lengths)
 * @param shadow compare with the unsteered model at every step, or null
 */
public record GenerationRequest(int[] prompt, int maxTokens, SamplingParams sampling,
    List<String> stop, boolean ignoreEos, SteeringPlan plan, ShadowSpec shadow) {
  public GenerationRequest withShadow(ShadowSpec spec) {
    return new GenerationRequest(prompt, maxTokens, sampling, stop, ignoreEos, plan, spec);
  }
}
