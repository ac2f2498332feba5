package io.steerd.tradeoff.fit;

import static io.steerd.tradeoff.fit.PolynomialFitTest.assertFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TanhFitTest {
  private static final double A = 0.8;
  private static final double B0 = -0.2;
  private static final double[] R = Synthetic.grid(-3, 3, 13);

  private static double[] noisyAlignment(double a, double b0, long seed) {
    return Synthetic.clampToUnit(Synthetic.noisy(R, r -> Math.tanh(a * r + b0), 0.02, seed));
  }

  @Test
  void recoversKnownParametersWithinThreeStandardErrors() {
    // Three standard errors: if the errors are right (next test) a miss is a 0.3% event per
    // parameter, and the seed is fixed, so this cannot flake.
    FitResult fit = TanhFit.fit(R, noisyAlignment(A, B0, 11), null);

    assertTrue(fit.isOk(), fit::toString);
    assertEquals(A, fit.value("a"), 3 * fit.standardError("a"), fit::toString);
    assertEquals(B0, fit.value("b0"), 3 * fit.standardError("b0"), fit::toString);
    assertTrue(fit.standardError("a") < 0.05, fit::toString);
    assertTrue(fit.r2() > 0.98, fit::toString);
    assertEquals(13, fit.pointCount());
  }

  @Test
  void standardErrorsAreCalibrated() {
    // The 95% intervals come from a linearisation, so they are approximate; over 400 seeds the
    // coverage should still sit near 0.95 (binomial sd 0.011).
    int seeds = 400;
    int coveredA = 0;
    int coveredB0 = 0;
    for (int seed = 0; seed < seeds; seed++) {
      FitResult fit = TanhFit.fit(R, noisyAlignment(A, B0, seed), null);
      coveredA += fit.confidenceInterval("a", 0.95).contains(A) ? 1 : 0;
      coveredB0 += fit.confidenceInterval("b0", 0.95).contains(B0) ? 1 : 0;
    }
    assertCoverageNear95(coveredA / (double) seeds);
    assertCoverageNear95(coveredB0 / (double) seeds);
  }

  static void assertCoverageNear95(double coverage) {
    assertTrue(coverage > 0.91 && coverage < 0.985, "coverage " + coverage);
  }

  @Test
  void noiseFreeCurveIsRecoveredToRounding() {
    double[] b = Synthetic.curve(R, r -> Math.tanh(A * r + B0));
    FitResult fit = TanhFit.fit(R, b, null);

    assertEquals(A, fit.value("a"), 1e-9);
    assertEquals(B0, fit.value("b0"), 1e-9);
  }

  @Test
  void recoversANegativeSlope() {
    FitResult fit = TanhFit.fit(R, noisyAlignment(-1.1, 0.3, 5), null);

    assertEquals(-1.1, fit.value("a"), 3 * fit.standardError("a"), fit::toString);
    assertEquals(0.3, fit.value("b0"), 3 * fit.standardError("b0"), fit::toString);
  }

  @Test
  void weightsPullTheFitTowardsHeavyPoints() {
    double[] b = noisyAlignment(A, B0, 2);
    double[] w = new double[R.length];
    Arrays.fill(w, 1);
    w[6] = 1e6; // the r = 0 point, where B = tanh(b0)
    FitResult fit = TanhFit.fit(R, b, w);

    assertEquals(b[6], Math.tanh(fit.value("b0")), 1e-4);
  }

  @Test
  void twoPointsFail() {
    assertFailed(
        TanhFit.fit(new double[] {0, 1}, new double[] {0, 0.5}, null),
        "fewer points (2) than parameters (2) + 1");
  }

  @Test
  void allEqualRFail() {
    assertFailed(
        TanhFit.fit(new double[] {1, 1, 1}, new double[] {0.1, 0.2, 0.3}, null),
        "design matrix is singular: all r equal");
  }

  @Test
  void nanFails() {
    assertFailed(
        TanhFit.fit(new double[] {0, 1, 2, Double.NaN}, new double[] {0, 0.5, 0.7, 0.8}, null),
        "non-finite input at point 3 (r = NaN, B = 0.8)");
  }

  @Test
  void alignmentOutsideMinusOneToOneFails() {
    assertFailed(
        TanhFit.fit(new double[] {0, 1, 2}, new double[] {0, 0.5, 1.2}, null),
        "B at point 2 is outside [-1, 1] (B = 1.2)");
  }

  @Test
  void aStepFromMinusOneToOneHasNoFiniteSlope() {
    // tanh(a r) tends to this step as a → ∞: no finite parameters fit it.
    double[] r = {-3, -2, -1, 1, 2, 3};
    double[] b = {-1, -1, -1, 1, 1, 1};
    FitResult fit = TanhFit.fit(r, b, null);

    assertFailed(fit, FitSummary.NOT_IDENTIFIABLE);
  }
}
