package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PolynomialFitTest {
  private static final double[] TRUE_QUADRATIC = {0.5, 1.2, -0.7};

  private static double quadratic(double x) {
    return TRUE_QUADRATIC[0] + TRUE_QUADRATIC[1] * x + TRUE_QUADRATIC[2] * x * x;
  }

  @Test
  void noiseFreeLineIsRecoveredToRounding() {
    double[] x = Synthetic.grid(-2, 2, 9);
    FitResult fit = PolynomialFit.fit(x, Synthetic.curve(x, v -> 1 + 2 * v), 1, null);

    assertTrue(fit.isOk(), fit::toString);
    assertEquals(1, fit.value("c0"), 1e-12);
    assertEquals(2, fit.value("c1"), 1e-12);
    assertEquals(1, fit.r2(), 1e-12);
    assertEquals(0, fit.rmse(), 1e-12);
  }

  @Test
  void noisyQuadraticIsRecoveredWithinThreeStandardErrors() {
    double[] x = Synthetic.grid(-2, 2, 21);
    FitResult fit =
        PolynomialFit.fit(x, Synthetic.noisy(x, PolynomialFitTest::quadratic, 0.1, 7), 2, null);

    assertTrue(fit.isOk(), fit::toString);
    for (int k = 0; k <= 2; k++) {
      String name = "c" + k;
      assertEquals(TRUE_QUADRATIC[k], fit.value(name), 3 * fit.standardError(name), fit::toString);
      assertTrue(fit.confidenceInterval(name, 0.95).contains(TRUE_QUADRATIC[k]), fit::toString);
    }
    assertEquals(18, fit.degreesOfFreedom());
    assertTrue(fit.r2() > 0.98, fit::toString);
  }

  @Test
  void ninetyFivePercentIntervalsCoverTheTruthNinetyFivePercentOfTheTime() {
    // With Gaussian noise the t interval is exact, so coverage over many seeds is a binomial
    // with p = 0.95: over 2000 seeds its standard deviation is 0.005, and the bounds are ±4 of it.
    // Six points leave 3 degrees of freedom, where the t quantile (3.18) is far from the normal.
    double[] x = Synthetic.grid(-1, 1, 6);
    int seeds = 2000;
    int[] covered = new int[3];
    for (int seed = 0; seed < seeds; seed++) {
      double[] y = Synthetic.noisy(x, PolynomialFitTest::quadratic, 0.3, seed);
      FitResult fit = PolynomialFit.fit(x, y, 2, null);
      for (int k = 0; k <= 2; k++) {
        if (fit.confidenceInterval("c" + k, 0.95).contains(TRUE_QUADRATIC[k])) {
          covered[k]++;
        }
      }
    }
    for (int k = 0; k <= 2; k++) {
      double coverage = covered[k] / (double) seeds;
      assertTrue(coverage > 0.93 && coverage < 0.97, "c" + k + " coverage " + coverage);
    }
  }

  @Test
  void linearTermOfAPurelyQuadraticLossHasAnIntervalContainingZero() {
    double[] r = Synthetic.grid(-1, 1, 11);
    double[] p = Synthetic.noisy(r, v -> 0.8 - 0.25 * v * v, 0.01, 3);
    FitResult fit = PolynomialFit.fit(r, p, 2, null);

    assertTrue(fit.confidenceInterval("c1", 0.95).contains(0), fit::toString);
    assertTrue(fit.confidenceInterval("c2", 0.95).high() < 0, fit::toString);
  }

  @Test
  void aWeightOfTwoActsLikeADuplicatedPoint() {
    double[] x = {-1, -0.5, 0, 0.5, 1};
    double[] y = {0.1, 0.35, 0.4, 0.9, 1.3};
    double[] w = {1, 2, 1, 1, 1};
    FitResult weighted = PolynomialFit.fit(x, y, 1, w);
    FitResult duplicated =
        PolynomialFit.fit(
            new double[] {-1, -0.5, -0.5, 0, 0.5, 1}, new double[] {0.1, 0.35, 0.35, 0.4, 0.9, 1.3},
            1, null);

    assertEquals(duplicated.value("c0"), weighted.value("c0"), 1e-12);
    assertEquals(duplicated.value("c1"), weighted.value("c1"), 1e-12);
    assertEquals(duplicated.r2(), weighted.r2(), 1e-12);
  }

  @Test
  void tooFewPointsFail() {
    FitResult fit = PolynomialFit.fit(new double[] {0, 1, 2}, new double[] {1, 2, 0}, 2, null);

    assertFailed(fit, "fewer points (3) than parameters (3) + 1");
  }

  @Test
  void allEqualXFail() {
    FitResult fit =
        PolynomialFit.fit(new double[] {1, 1, 1, 1}, new double[] {1, 2, 3, 4}, 1, null);

    assertFailed(fit, "design matrix is singular: all x equal");
  }

  @Test
  void tooFewDistinctXForTheDegreeFail() {
    FitResult fit =
        PolynomialFit.fit(new double[] {0, 0, 1, 1, 1}, new double[] {1, 2, 3, 4, 5}, 2, null);

    assertFailed(fit, "design matrix is singular: only 2 distinct x values for 3 parameters");
  }

  @Test
  void nonFiniteInputFails() {
    FitResult fit =
        PolynomialFit.fit(new double[] {0, 1, 2, 3}, new double[] {1, 2, 3, Double.NaN}, 1, null);

    assertFailed(fit, "non-finite input at point 3 (x = 3.0, y = NaN)");
  }

  @Test
  void nonPositiveWeightFails() {
    FitResult fit =
        PolynomialFit.fit(
            new double[] {0, 1, 2, 3}, new double[] {1, 2, 3, 4}, 1, new double[] {1, 0, 1, 1});

    assertFailed(fit, "weight at point 1 is not positive and finite (0.0)");
  }

  @Test
  void arraysOfDifferentLengthAreACallerBug() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PolynomialFit.fit(new double[] {0, 1, 2}, new double[] {1, 2}, 1, null));
  }

  /** A FAILED fit states its reason and offers no number that could be reported. */
  static void assertFailed(FitResult fit, String reason) {
    assertEquals(FitResult.Status.FAILED, fit.status(), fit::toString);
    assertEquals(reason, fit.reason());
    assertTrue(fit.parameters().isEmpty());
    assertThrows(IllegalStateException.class, fit::r2);
    assertThrows(IllegalStateException.class, fit::rmse);
    assertThrows(IllegalStateException.class, fit::degreesOfFreedom);
    assertThrows(IllegalStateException.class, () -> fit.value("a"));
  }
}
