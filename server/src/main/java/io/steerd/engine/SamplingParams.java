package io.steerd.engine;

/**
 * How to pick each next token.
 *
 * @param temperature 0 for greedy (argmax); otherwise logits are divided by it
 * @param topK keep only the k most likely tokens; 0 for no limit
 * @param topP keep the smallest set of tokens whose probability reaches p; 1 for no limit
 * @param seed seeds the sampler's random stream, so equal seeds give equal outputs
 */
public record SamplingParams(float temperature, int topK, float topP, long seed) {
  public static SamplingParams greedy() {
    return new SamplingParams(0f, 0, 1f, 0L);
  }

  public boolean isGreedy() {
    return temperature == 0f;
  }
}
