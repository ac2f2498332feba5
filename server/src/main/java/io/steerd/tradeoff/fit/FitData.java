package io.steerd.tradeoff.fit;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/**
 * The points of one fit, weights defaulted to 1, plus the checks every fit makes before it trusts
 * them. Weights are relative (e.g. sample counts): the fits scale the covariance by the residual
 * variance, so multiplying all weights by a constant changes nothing.
 */
record FitData(double[] x, double[] y, double[] w) {
  /** For distinct values so close together that rounding makes them collinear anyway. */
  static final String NUMERICALLY_SINGULAR =
      "design matrix is numerically singular: the values are too close together";

  static FitData of(double[] x, double[] y, double[] weightsOrNull) {
    if (x.length != y.length || (weightsOrNull != null && weightsOrNull.length != x.length)) {
      throw new IllegalArgumentException(
          "arrays differ in length: x " + x.length + ", y " + y.length
              + (weightsOrNull == null ? "" : ", weights " + weightsOrNull.length));
    }
    double[] w = weightsOrNull == null ? filled(x.length, 1.0) : weightsOrNull.clone();
    return new FitData(x.clone(), y.clone(), w);
  }

  int size() {
    return x.length;
  }

  /**
   * The first reason these points cannot support a fit of {@code parameterCount} parameters, or
   * empty. One spare point beyond the parameter count is required so that the residual variance,
   * and with it every standard error, is defined.
   */
  Optional<String> problem(int parameterCount, String xName, String yName) {
    if (size() < parameterCount + 1) {
      return Optional.of(
          "fewer points (" + size() + ") than parameters (" + parameterCount + ") + 1");
    }
    for (int i = 0; i < size(); i++) {
      if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
        return Optional.of(
            "non-finite input at point " + i + " (" + xName + " = " + x[i] + ", " + yName + " = "
                + y[i] + ")");
      }
      if (!(w[i] > 0) || !Double.isFinite(w[i])) {
        return Optional.of("weight at point " + i + " is not positive and finite (" + w[i] + ")");
      }
    }
    return Optional.empty();
  }

  /**
   * Empty when {@code designValues} (x, or x transformed as the design matrix uses it) has at least
   * {@code needed} distinct values; otherwise why the design matrix is singular.
   */
  static Optional<String> singularDesign(double[] designValues, int needed, String name) {
    // Adding 0.0 folds −0.0 into 0.0, which distinct() would otherwise count apart.
    long distinct = Arrays.stream(designValues).map(v -> v + 0.0).distinct().count();
    if (distinct >= needed) {
      return Optional.empty();
    }
    if (distinct == 1) {
      return Optional.of("design matrix is singular: all " + name + " equal");
    }
    return Optional.of(
        "design matrix is singular: only " + distinct + " distinct " + name + " values for "
            + needed + " parameters");
  }

  /** The same points and weights with x and y transformed, for linearised start values. */
  FitData transformed(DoubleUnaryOperator xMap, DoubleUnaryOperator yMap) {
    return new FitData(
        Arrays.stream(x).map(xMap).toArray(), Arrays.stream(y).map(yMap).toArray(), w);
  }

  double weightedSquaredError(double[] fitted) {
    double sum = 0;
    for (int i = 0; i < size(); i++) {
      double residual = y[i] - fitted[i];
      sum += w[i] * residual * residual;
    }
    return sum;
  }

  /**
   * 1 − SSR / SST with both sums weighted, about the weighted mean. NaN when y does not vary, since
   * then there is nothing for the curve to explain.
   */
  double rSquared(double[] fitted) {
    double weightSum = Arrays.stream(w).sum();
    double mean = 0;
    for (int i = 0; i < size(); i++) {
      mean += w[i] * y[i];
    }
    mean /= weightSum;
    double total = 0;
    for (int i = 0; i < size(); i++) {
      total += w[i] * (y[i] - mean) * (y[i] - mean);
    }
    return total > 0 ? 1 - weightedSquaredError(fitted) / total : Double.NaN;
  }

  /** √(Σ w e² / Σ w): the ordinary RMSE when all weights are 1. */
  double rootMeanSquaredError(double[] fitted) {
    return Math.sqrt(weightedSquaredError(fitted) / Arrays.stream(w).sum());
  }

  private static double[] filled(int n, double value) {
    double[] a = new double[n];
    Arrays.fill(a, value);
    return a;
  }
}
