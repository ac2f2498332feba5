package io.steerd.tradeoff.fit;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/** Synthetic sweeps: evenly spaced norms and a known curve plus seeded Gaussian noise. */
final class Synthetic {
  private Synthetic() {}

  static double[] grid(double from, double to, int points) {
    double[] x = new double[points];
    for (int i = 0; i < points; i++) {
      x[i] = from + (to - from) * i / (points - 1);
    }
    return x;
  }

  static double[] curve(double[] x, DoubleUnaryOperator f) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = f.applyAsDouble(x[i]);
    }
    return y;
  }

  static double[] noisy(double[] x, DoubleUnaryOperator f, double sigma, long seed) {
    Random random = new Random(seed);
    double[] y = curve(x, f);
    for (int i = 0; i < y.length; i++) {
      y[i] += sigma * random.nextGaussian();
    }
    return y;
  }

  /** Measured B = P(good) − P(bad) cannot leave [−1, 1], whatever the noise. */
  static double[] clampToUnit(double[] y) {
    double[] clamped = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      clamped[i] = Math.max(-1, Math.min(1, y[i]));
    }
    return clamped;
  }
}
