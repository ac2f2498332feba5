package io.steerd.tradeoff.fit;

/**
 * Student's t distribution, through the regularised incomplete beta function: for t ≥ 0 the upper
 * tail is P(T > t) = ½ I_x(ν/2, ½) with x = ν / (ν + t²). Quantiles invert that tail by bisection,
 * which is slow by numerical standards but cannot fail, and a fit needs only a handful.
 */
public final class StudentT {
  private static final int MAX_FRACTION_TERMS = 100_000;
  private static final double FRACTION_EPSILON = 1e-15;
  private static final double TINY = 1e-300;
  /** Lanczos coefficients for g = 7, n = 9: lnΓ to about 15 significant digits. */
  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  private StudentT() {}

  /** P(T ≤ t) for ν = {@code dof} degrees of freedom. */
  public static double cdf(double t, double dof) {
    requirePositive(dof);
    double tail = upperTail(Math.abs(t), dof);
    return t >= 0 ? 1 - tail : tail;
  }

  /** The t with P(T ≤ t) = p, for p in (0, 1). */
  public static double quantile(double p, double dof) {
    requirePositive(dof);
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("probability must lie in (0, 1): " + p);
    }
    if (p < 0.5) {
      return -quantile(1 - p, dof);
    }
    // Bisect on the upper tail rather than the cdf, so p close to 1 keeps its precision.
    double tail = 1 - p;
    double low = 0;
    double high = 1;
    while (upperTail(high, dof) > tail) {
      low = high;
      high *= 2;
    }
    while (high - low > 1e-15 * high) {
      double mid = 0.5 * (low + high);
      if (mid <= low || mid >= high) {
        break;
      }
      if (upperTail(mid, dof) > tail) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return 0.5 * (low + high);
  }

  /** P(T > t) for t ≥ 0. */
  private static double upperTail(double t, double dof) {
    return 0.5 * regularizedIncompleteBeta(dof / (dof + t * t), dof / 2, 0.5);
  }

  /** I_x(a, b) for x in [0, 1], a, b > 0. */
  static double regularizedIncompleteBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double logFront =
        lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
    // The continued fraction converges fast only below the mean; above it use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a).
    if (x < (a + 1) / (a + b + 2)) {
      return Math.exp(logFront) * continuedFraction(x, a, b) / a;
    }
    return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
  }

  /** The continued fraction for I_x(a, b), evaluated by the modified Lentz method. */
  private static double continuedFraction(double x, double a, double b) {
    double c = 1;
    double d = 1 - (a + b) * x / (a + 1);
    d = 1 / nonZero(d);
    double fraction = d;
    for (int m = 1; m <= MAX_FRACTION_TERMS; m++) {
      int m2 = 2 * m;
      double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
      d = 1 / nonZero(1 + even * d);
      c = nonZero(1 + even / c);
      fraction *= d * c;
      double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 / nonZero(1 + odd * d);
      c = nonZero(1 + odd / c);
      double delta = d * c;
      fraction *= delta;
      if (Math.abs(delta - 1) < FRACTION_EPSILON) {
        return fraction;
      }
    }
    throw new ArithmeticException(
        "incomplete beta continued fraction did not converge: x=" + x + " a=" + a + " b=" + b);
  }

  private static double nonZero(double value) {
    return Math.abs(value) < TINY ? TINY : value;
  }

  /** ln Γ(x) for x > 0 (Lanczos, shifted up by one below ½ where it is not accurate). */
  static double lnGamma(double x) {
    if (x < 0.5) {
      return lnGamma(x + 1) - Math.log(x);
    }
    double shifted = x - 1;
    double series = LANCZOS[0];
    for (int i = 1; i < LANCZOS.length; i++) {
      series += LANCZOS[i] / (shifted + i);
    }
    double t = shifted + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
  }

  private static void requirePositive(double dof) {
    if (!(dof > 0) || Double.isInfinite(dof)) {
      throw new IllegalArgumentException("degrees of freedom must be positive and finite: " + dof);
    }
  }
}
