package io.steerd.engine;

import io.steerd.steering.SteeringPlan;
import java.util.List;

/**
 * A validated generation: what the scheduler runs.
 *
 * @param shadow compare with the unsteered model at every step, or null
 */
public record GenerationRequest(int[] prompt, int maxTokens, SamplingParams sampling,
    List<String> stop, SteeringPlan plan, ShadowSpec shadow) {
  public GenerationRequest withShadow(ShadowSpec spec) {
    return new GenerationRequest(prompt, maxTokens, sampling, stop, plan, spec);
  }
}
