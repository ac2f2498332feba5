package io.steerd.engine;

import io.steerd.steering.SteeringPlan;
import java.util.List;

/** A validated generation: what the scheduler runs. */
public record GenerationRequest(
    int[] prompt, int maxTokens, SamplingParams sampling, List<String> stop, SteeringPlan plan) {}
