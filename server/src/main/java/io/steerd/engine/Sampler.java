package io.steerd.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks tokens from logits by temperature, top-k and top-p, reproducibly for a given seed. */
public final class Sampler {
  /** A chosen token and its log-probability under the model's untempered distribution. */
  public record Choice(int token, float logprob) {}

  private final SamplingParams params;
  private final SplittableRandom random;

  public Sampler(SamplingParams params) {
    this.params = params;
    this.random = new SplittableRandom(params.seed());
  }

  /** @param logNormalizer log(sum(exp(logits))), from the graph */
  public Choice next(float[] logits, float logNormalizer) {
    int token = params.isGreedy() ? argmax(logits) : sample(logits);
    return new Choice(token, logits[token] - logNormalizer);
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private int sample(float[] logits) {
    int n = logits.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Descending by logit, ties by id, so the candidate set never depends on sort stability.
    Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
    int keep = params.topK() > 0 ? Math.min(params.topK(), n) : n;
    double max = logits[order[0]];
    double[] probs = new double[keep];
    double total = 0;
    for (int i = 0; i < keep; i++) {
      probs[i] = Math.exp((logits[order[i]] - max) / params.temperature());
      total += probs[i];
    }
    if (params.topP() < 1f) {
      double mass = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        mass += probs[i] / total;
        if (mass >= params.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = cut;
      total = 0;
      for (int i = 0; i < keep; i++) {
        total += probs[i];
      }
    }
    double u = random.nextDouble() * total;
    double acc = 0;
    for (int i = 0; i < keep; i++) {
      acc += probs[i];
      if (u < acc) {
        return order[i];
      }
    }
    return order[keep - 1];
  }


}
