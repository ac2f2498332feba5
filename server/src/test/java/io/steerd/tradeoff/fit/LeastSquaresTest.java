package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hipparchus.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class LeastSquaresTest {
  /** y = e^θ: positive for every finite θ. */
  private static final CurveModel EXPONENTIAL =
      new CurveModel() {
        @Override
        public double value(double x, double[] params) {
          return Math.exp(params[0]);
        }

        @Override
        public void gradient(double x, double[] params, double[] gradient) {
          gradient[0] = Math.exp(params[0]);
        }
      };

  @Test
  void findsAnInteriorMinimum() {
    FitData data = FitData.of(new double[] {0, 1, 2}, new double[] {1.9, 2.0, 2.1}, null);

    double[] params = LeastSquares.minimize(EXPONENTIAL, data, new double[] {-3}).orElseThrow();
    assertEquals(Math.log(2.0), params[0], 1e-9);
  }

  @Test
  void reportsNoConvergenceWhenTheMinimumIsAtInfinity() {
    // Fitting e^θ to zeros: each step moves θ by about −1 and divides the cost by about e², so
    // the relative decrease never becomes small and the iteration budget runs out.
    FitData data = FitData.of(new double[] {0, 1, 2}, new double[] {0, 0, 0}, null);

    assertTrue(LeastSquares.minimize(EXPONENTIAL, data, new double[] {0}).isEmpty());
  }

  @Test
  void linearSolutionSatisfiesTheWeightedNormalEquationsAndCovarianceInvertsThem() {
    double[] x = {-1, -0.3, 0.2, 0.9, 1.4};
    double[] y = {2.1, 0.4, 0.3, 1.7, 3.9};
    double[] w = {1, 4, 0.5, 2, 3};
    FitData data = FitData.of(x, y, w);
    PolynomialCurve curve = new PolynomialCurve(2);
    double[][] normal = new double[3][3];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          normal[j][k] += w[i] * Math.pow(x[i], j) * Math.pow(x[i], k);
        }
      }
    }

    double[] c = LeastSquares.solveLinear(curve, 3, data).orElseThrow();
    for (int j = 0; j < 3; j++) {
      double normalResidual = 0;
      for (int i = 0; i < x.length; i++) {
        normalResidual += w[i] * Math.pow(x[i], j) * (y[i] - curve.value(x[i], c));
      }
      assertEquals(0, normalResidual, 1e-12);
    }
    RealMatrix covariance = LeastSquares.unscaledCovariance(curve, data, c).orElseThrow();
    for (int i = 0; i < 3; i++) {
      double[] row = new double[3];
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          row[j] += normal[i][k] * covariance.getEntry(k, j);
        }
      }
      double[] unit = new double[3];
      unit[i] = 1;
      assertArrayEquals(unit, row, 1e-12);
    }
  }

  @Test
  void refusesRankDeficientDesigns() {
    PolynomialCurve line = new PolynomialCurve(1);
    double[] y = {1, 2, 3};
    // Every x = 1: the columns 1 and x coincide. Every x = 0: the x column is zero.
    FitData coinciding = FitData.of(new double[] {1, 1, 1}, y, null);
    FitData zero = FitData.of(new double[] {0, 0, 0}, y, null);

    assertTrue(LeastSquares.solveLinear(line, 2, coinciding).isEmpty());
    assertTrue(LeastSquares.solveLinear(line, 2, zero).isEmpty());
  }

  @Test
  void nearCollinearityIsJudgedRelativeToTheScaleOfWeightsAndParameters() {
    // x spread over 3e-7 around 1: the x column is the 1 column to within ~1e-14 of its size.
    double[] x = {1, 1 + 1e-7, 1 + 2e-7, 1 + 3e-7};
    double[] y = {1, 2, 3, 4};
    PolynomialCurve line = new PolynomialCurve(1);
    for (double weight : new double[] {1e-8, 1, 1e8}) {
      double[] w = {weight, weight, weight, weight};
      assertTrue(LeastSquares.solveLinear(line, 2, FitData.of(x, y, w)).isEmpty(), "w=" + weight);
    }
    // Spread over 0.3 instead, the same weights are well conditioned.
    double[] wide = {1, 1.1, 1.2, 1.3};
    for (double weight : new double[] {1e-8, 1, 1e8}) {
      double[] w = {weight, weight, weight, weight};
      assertTrue(
          LeastSquares.solveLinear(line, 2, FitData.of(wide, y, w)).isPresent(), "w=" + weight);
    }
  }
}
