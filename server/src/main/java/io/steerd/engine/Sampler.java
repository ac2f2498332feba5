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

  /**
   * Draws from the tempered distribution. Without top-k or top-p that needs no ordering at all;
   * with them, candidates come off a heap best first (descending logit, ties by id), so a token
   * costs O(vocab + kept log vocab) rather than a sort of the whole vocabulary.
   */
  private int sample(float[] logits) {
    int n = logits.length;
    double max = logits[argmax(logits)];
    double t = params.temperature();
    boolean limited = params.topK() > 0 && params.topK() < n;
    if (!limited && params.topP() >= 1f) {
      // One exp per token: cumulative weights, then a binary search for the draw.
      double[] cumulative = new double[n];
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += Math.exp((logits[i] - max) / t);
        cumulative[i] = total;
      }
      int at = Arrays.binarySearch(cumulative, random.nextDouble() * total);
      return Math.min(n - 1, at >= 0 ? at + 1 : -at - 1);
    }
    BestFirst heap = new BestFirst(logits);
    int keep = limited ? params.topK() : n;
    int[] order = new int[Math.min(keep, 64)];
    double[] probs = new double[order.length];
    int taken = 0;
    double total = 0;
    if (limited) {
      for (; taken < keep; taken++) {
        order = grow(order, taken);
        probs = grow(probs, taken);
        order[taken] = heap.next();
        probs[taken] = Math.exp((logits[order[taken]] - max) / t);
        total += probs[taken];
      }
    } else {
      for (float l : logits) {
        total += Math.exp((l - max) / t);
      }
    }
    if (params.topP() < 1f) {
      double mass = 0;
      int cut = 0;
      while (cut < keep) {
        if (cut == taken) {
          order = grow(order, taken);
          probs = grow(probs, taken);
          order[taken] = heap.next();
          probs[taken] = Math.exp((logits[order[taken]] - max) / t);
          taken++;
        }
        mass += probs[cut++] / total;
        if (mass >= params.topP()) {
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

  private static int[] grow(int[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(1, a.length * 2));
  }

  private static double[] grow(double[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(1, a.length * 2));
  }

  /** Token ids, best first: a binary max-heap over ids keyed by (logit, then lower id). */
  private static final class BestFirst {
    private final float[] logits;
    private final int[] heap;
    private int size;

    BestFirst(float[] logits) {
      this.logits = logits;
      this.size = logits.length;
      this.heap = new int[size];
      for (int i = 0; i < size; i++) {
        heap[i] = i;
      }
      for (int i = size / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    }

    int next() {
      int top = heap[0];
      heap[0] = heap[--size];
      siftDown(0);
      return top;
    }

    private boolean better(int a, int b) {
      return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
    }

    private void siftDown(int i) {
      while (true) {
        int best = i;
        int left = 2 * i + 1;
        int right = left + 1;
        if (left < size && better(heap[left], heap[best])) {
          best = left;
        }
        if (right < size && better(heap[right], heap[best])) {
          best = right;
        }
        if (best == i) {
          return;
        }
        int swap = heap[i];
        heap[i] = heap[best];
        heap[best] = swap;
        i = best;
      }
    }
  }



}
