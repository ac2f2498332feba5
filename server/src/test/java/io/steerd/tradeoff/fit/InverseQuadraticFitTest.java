package io.steerd.tradeoff.fit;

import static io.steerd.tradeoff.fit.PolynomialFitTest.assertFailed;
import static io.steerd.tradeoff.fit.TanhFitTest.assertCoverageNear95;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InverseQuadraticFitTest {
  private static final double A = 0.3;
  private static final double B = 1.5;
  private static final double[] R = Synthetic.grid(-3, 3, 13);

  private static double helpfulness(double r, double a, double b) {
    return 1 / (1 + a + a * (b * b / 2) * r * r);
  }

  private static double[] noisyHelpfulness(long seed) {
    return Synthetic.noisy(R, r -> helpfulness(r, A, B), 0.02, seed);
  }

  @Test
  void recoversKnownParametersWithinThreeStandardErrors() {
    FitResult fit = InverseQuadraticFit.fit(R, noisyHelpfulness(11), null);

    assertTrue(fit.isOk(), fit::toString);
    assertEquals(A, fit.value("a"), 3 * fit.standardError("a"), fit::toString);
    assertEquals(B, fit.value("b"), 3 * fit.standardError("b"), fit::toString);
    assertTrue(fit.r2() > 0.98, fit::toString);
  }

  @Test
  void standardErrorsAreCalibrated() {
    int seeds = 400;
    int coveredA = 0;
    int coveredB = 0;
    for (int seed = 0; seed < seeds; seed++) {
      FitResult fit = InverseQuadraticFit.fit(R, noisyHelpfulness(seed), null);
      coveredA += fit.confidenceInterval("a", 0.95).contains(A) ? 1 : 0;
      coveredB += fit.confidenceInterval("b", 0.95).contains(B) ? 1 : 0;
    }
    assertCoverageNear95(coveredA / (double) seeds);
    assertCoverageNear95(coveredB / (double) seeds);
  }

  @Test
  void noiseFreeCurveIsRecoveredToRoundingAndBIsReportedPositive() {
    double[] p = Synthetic.curve(R, r -> helpfulness(r, A, -B));
    FitResult fit = InverseQuadraticFit.fit(R, p, null);

    assertEquals(A, fit.value("a"), 1e-9);
    assertEquals(B, fit.value("b"), 1e-9);
  }

  @Test
  void twoPointsFail() {
    assertFailed(
        InverseQuadraticFit.fit(new double[] {0, 1}, new double[] {0.8, 0.5}, null),
        "fewer points (2) than parameters (2) + 1");
  }

  @Test
  void normsOfEqualSizeFail() {
    // ±1 differ as r but not as r², which is what the design matrix holds.
    assertFailed(
        InverseQuadraticFit.fit(new double[] {-1, 1, 1}, new double[] {0.5, 0.6, 0.55}, null),
        "design matrix is singular: all r² equal");
  }

  @Test
  void nanFails() {
    assertFailed(
        InverseQuadraticFit.fit(
            new double[] {0, 1, 2, 3}, new double[] {0.8, 0.6, 0.4, Double.NaN}, null),
        "non-finite input at point 3 (r = 3.0, P = NaN)");
  }

  @Test
  void flatHelpfulnessFails() {
    assertFailed(
        InverseQuadraticFit.fit(R, Synthetic.curve(R, r -> 0.7), null),
        "slope of 1/P - 1 on r² is <= 0: helpfulness does not fall quadratically with |r|");
  }

  @Test
  void helpfulnessRisingWithNormFails() {
    assertFailed(
        InverseQuadraticFit.fit(R, Synthetic.curve(R, r -> 0.5 + 0.05 * r * r), null),
        "slope of 1/P - 1 on r² is <= 0: helpfulness does not fall quadratically with |r|");
  }

  @Test
  void probabilityAboveOneFails() {
    assertFailed(
        InverseQuadraticFit.fit(new double[] {0, 1, 2}, new double[] {1.1, 0.6, 0.3}, null),
        "P at point 0 is outside (0, 1] (P = 1.1)");
  }

  @Test
  void probabilityOfZeroFails() {
    assertFailed(
        InverseQuadraticFit.fit(new double[] {0, 1, 2}, new double[] {0.9, 0.6, 0}, null),
        "P at point 2 is outside (0, 1] (P = 0.0)");
  }

  @Test
  void helpfulnessOfOneAtZeroNeedsANonPositiveA() {
    // 1/P − 1 = 0, 0, 0.2, 0.8, 1.9 against r² = 0, 0, 1, 4, 9 bends upwards, so the
    // best intercept a = 1/P(0) − 1 falls below 0, outside the model.
    double[] r = {0, 0, 1, 2, 3};
    double[] p = {1, 1, 1 / 1.2, 1 / 1.8, 1 / 2.9};
    assertFailed(
        InverseQuadraticFit.fit(r, p, null),
        "fitted a <= 0 (P(0) >= 1): outside the model 1/(1 + a + a (b²/2) r²), which needs a > 0");
  }
}
