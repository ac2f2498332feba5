package io.steerd.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Per generated token, how far steering moved the next-token distribution from the unsteered
 * model's on the same sequence: KL(steered || unsteered), whether the top-1 tokens agree, and the
 * steered logit gap between desired and undesired probe tokens.
 */
public final class ShadowStats {
  private final List<Double> kl = new ArrayList<>();
  private final List<Double> logitGap = new ArrayList<>();
  private final List<Boolean> agreed = new ArrayList<>();

  void observe(float[] steered, float[] unsteered, ShadowSpec spec) {
    kl.add(klDivergence(steered, unsteered));
    agreed.add(Sampler.argmax(steered) == Sampler.argmax(unsteered));
    if (spec.hasProbes()) {
      double gap = 0;
      for (int i = 0; i < spec.desired().length; i++) {
        gap += steered[spec.desired()[i]] - steered[spec.undesired()[i]];
      }
      logitGap.add(gap / spec.desired().length);
    }
  }

  public int tokens() {
    return kl.size();
  }

  public List<Double> klPerToken() {
    return kl;
  }

  /** Whether token i's steered and unsteered top-1 tokens agreed. */
  public boolean agreedAt(int i) {
    return agreed.get(i);
  }

  public List<Double> logitGapPerToken() {
    return logitGap;
  }

  public double meanKl() {
    return kl.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  public double top1Agreement() {
    return kl.isEmpty() ? 1 : agreed.stream().filter(a -> a).count() / (double) kl.size();
  }

  public boolean hasLogitGap() {
    return !logitGap.isEmpty();
  }

  public double meanLogitGap() {
    return logitGap.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  /** KL(p || q) in nats for p = softmax(a), q = softmax(b), computed stably in double. */
  static double klDivergence(float[] a, float[] b) {
    double maxA = Double.NEGATIVE_INFINITY;
    double maxB = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < a.length; i++) {
      maxA = Math.max(maxA, a[i]);
      maxB = Math.max(maxB, b[i]);
    }
    double sumA = 0;
    double sumB = 0;
    for (int i = 0; i < a.length; i++) {
      sumA += Math.exp(a[i] - maxA);
      sumB += Math.exp(b[i] - maxB);
    }
    double logZa = maxA + Math.log(sumA);
    double logZb = maxB + Math.log(sumB);
    double kl = 0;
    for (int i = 0; i < a.length; i++) {
      double logP = a[i] - logZa;
      double logQ = b[i] - logZb;
      kl += Math.exp(logP) * (logP - logQ);
    }
    return Math.max(0, kl);
  }
}
