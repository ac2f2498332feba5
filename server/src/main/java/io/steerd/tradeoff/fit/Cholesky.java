package io.steerd.tradeoff.fit;

import java.util.Optional;

/**
 * The Cholesky factor L of a symmetric positive definite matrix A = L Lᵀ. The fits only ever solve
 * p × p normal equations with p of 2 or 3, so a plain triangular loop is all that is needed.
 */
final class Cholesky {
  /**
   * A pivot this small relative to its diagonal entry means the column is, to rounding, a
   * combination of the earlier ones: the matrix is singular for our purposes.
   */
  private static final double RELATIVE_PIVOT_TOLERANCE = 1e-12;

  private final double[][] lower;

  private Cholesky(double[][] lower) {
    this.lower = lower;
  }

  /** Factors {@code a}, or returns empty when it is not numerically positive definite. */
  static Optional<Cholesky> of(double[][] a) {
    int p = a.length;
    double[][] l = new double[p][p];
    for (int j = 0; j < p; j++) {
      double pivot = a[j][j];
      for (int k = 0; k < j; k++) {
        pivot -= l[j][k] * l[j][k];
      }
      if (!(a[j][j] > 0) || !(pivot > RELATIVE_PIVOT_TOLERANCE * a[j][j])) {
        return Optional.empty();
      }
      l[j][j] = Math.sqrt(pivot);
      for (int i = j + 1; i < p; i++) {
        double sum = a[i][j];
        for (int k = 0; k < j; k++) {
          sum -= l[i][k] * l[j][k];
        }
        l[i][j] = sum / l[j][j];
      }
    }
    return Optional.of(new Cholesky(l));
  }

  /** Solves A x = b by forward then back substitution. */
  double[] solve(double[] b) {
    int p = lower.length;
    double[] y = new double[p];
    for (int i = 0; i < p; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= lower[i][k] * y[k];
      }
      y[i] = sum / lower[i][i];
    }
    double[] x = new double[p];
    for (int i = p - 1; i >= 0; i--) {
      double sum = y[i];
      for (int k = i + 1; k < p; k++) {
        sum -= lower[k][i] * x[k];
      }
      x[i] = sum / lower[i][i];
    }
    return x;
  }

  /** A⁻¹, column by column; the fits need it for parameter covariances. */
  double[][] inverse() {
    int p = lower.length;
    double[][] inverse = new double[p][p];
    for (int j = 0; j < p; j++) {
      double[] unit = new double[p];
      unit[j] = 1;
      double[] column = solve(unit);
      for (int i = 0; i < p; i++) {
        inverse[i][j] = column[i];
      }
    }
    return inverse;
  }
}
