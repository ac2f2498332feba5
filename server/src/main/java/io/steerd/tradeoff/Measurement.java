package io.steerd.tradeoff;

/** A mean over probes and its standard error; NaN mean when there were no probes. */
public record Measurement(double mean, double stderr, int count) {
  static final Measurement NONE = new Measurement(Double.NaN, Double.NaN, 0);

  static Measurement of(double[] values) {
    int n = values.length;
    if (n == 0) {
      return NONE;
    }
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= n;
    if (n == 1) {
      return new Measurement(mean, Double.NaN, 1);
    }
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return new Measurement(mean, Math.sqrt(ss / (n - 1) / n), n);
  }

  boolean present() {
    return count > 0;
  }
}
