package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LevenbergMarquardtTest {
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

    double[] params =
        LevenbergMarquardt.minimize(EXPONENTIAL, data, new double[] {-3}).orElseThrow();
    assertEquals(Math.log(2.0), params[0], 1e-9);
  }

  @Test
  void reportsNoConvergenceWhenTheMinimumIsAtInfinity() {
    // Fitting e^θ to zeros: each step moves θ by about −1 and divides the cost by about e², so
    // the relative decrease never becomes small and the iteration budget runs out.
    FitData data = FitData.of(new double[] {0, 1, 2}, new double[] {0, 0, 0}, null);

    assertTrue(LevenbergMarquardt.minimize(EXPONENTIAL, data, new double[] {0}).isEmpty());
  }
}
