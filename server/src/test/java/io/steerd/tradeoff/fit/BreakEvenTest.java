package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BreakEvenTest {
  private static final double A = 0.8;
  private static final double B0 = -0.2;
  private static final double A_P = 0.3;
  private static final double B_P = 1.5;

  // BreakEven reads only the parameter values; the errors, r2 and rmse here are placeholders.
  private static FitResult alignment(double a, double b0) {
    return FitResult.ok(
        TanhFit.MODEL,
        List.of(new FitResult.Parameter("a", a, 0.01), new FitResult.Parameter("b0", b0, 0.01)),
        0.99, 0.01, 13);
  }

  private static FitResult helpfulness(double a, double b) {
    return FitResult.ok(
        InverseQuadraticFit.MODEL,
        List.of(new FitResult.Parameter("a", a, 0.01), new FitResult.Parameter("b", b, 0.01)),
        0.99, 0.01, 13);
  }

  private static double alignmentAt(double r, double a, double b0) {
    return Math.tanh(a * r + b0);
  }

  private static double helpfulnessAt(double r, double a, double b) {
    return 1 / (1 + a + a * (b * b / 2) * r * r);
  }

  /**
   * The independent answer: the r in [0, rMax] (or [−rMax, 0]) that maximises B + λP on a grid of
   * two million cells, using only the curves themselves and no derivative.
   */
  private static double bruteForceBestNorm(
      double a, double b0, double aP, double bP, double lambda, double rMax) {
    int cells = 2_000_000;
    double bestR = 0;
    double bestUtility = Double.NEGATIVE_INFINITY;
    for (int k = 0; k <= cells; k++) {
      double r = Math.signum(a) * rMax * k / cells;
      double utility = alignmentAt(r, a, b0) + lambda * helpfulnessAt(r, aP, bP);
      if (utility > bestUtility) {
        bestUtility = utility;
        bestR = r;
      }
    }
    return bestR;
  }

  private static void assertMatchesBruteForce(
      double a, double b0, double aP, double bP, double lambda, double rMax) {
    BreakEvenResult result =
        BreakEven.solve(alignment(a, b0), helpfulness(aP, bP), lambda, rMax);
    assertEquals(BreakEvenResult.Status.FOUND, result.status(), result::toString);
    // Grid cells are rMax / 2e6 = 3e-6 wide for rMax = 6.
    double expected = bruteForceBestNorm(a, b0, aP, bP, lambda, rMax);
    assertEquals(expected, result.norm(), 1e-5, result::toString);
  }

  @Test
  void matchesTheBruteForceMaximumOfAlignmentPlusWeightedHelpfulness() {
    assertMatchesBruteForce(A, B0, A_P, B_P, 1, 6); // r* = 1.88178
    assertMatchesBruteForce(A, B0, A_P, B_P, 0.3, 6); // r* = 3.17752
    assertMatchesBruteForce(A, B0, A_P, B_P, 3, 6); // r* = 0.75032
  }

  @Test
  void marginalGainEqualsWeightedMarginalLossAtTheBreakEven() {
    double lambda = 1;
    double r = BreakEven.solve(alignment(A, B0), helpfulness(A_P, B_P), lambda, 6).norm();
    double h = 1e-5;
    // Central differences of the curves, independent of the analytic derivatives in BreakEven.
    double gain = (alignmentAt(r + h, A, B0) - alignmentAt(r - h, A, B0)) / (2 * h);
    double loss = -(helpfulnessAt(r + h, A_P, B_P) - helpfulnessAt(r - h, A_P, B_P)) / (2 * h);
    assertEquals(gain, lambda * loss, 1e-8);
  }

  @Test
  void negativeSlopeSearchesNegativeNormsAndReportsTheSign() {
    BreakEvenResult result = BreakEven.solve(alignment(-A, B0), helpfulness(A_P, B_P), 1, 6);

    // B(r) = tanh(−0.8 r − 0.2) is the positive case's B(−r), and P is even: the mirror image.
    assertEquals(-1.8817843762, result.norm(), 1e-8, result::toString);
    assertMatchesBruteForce(-A, B0, A_P, B_P, 1, 6);
    assertMatchesBruteForce(-A, -B0, A_P, B_P, 1, 6); // r* = −1.22136
  }

  @Test
  void ofTwoLocalMaximaPicksTheHigherUtility() {
    // B(0) = tanh(−3): deep in the tail, the gain at r = 0 is small, the loss overtakes it almost
    // at once, then the gain wins again as B swings. Which local maximum of B + λP is higher
    // depends on λ: the far one (r ≈ 7.13) for λ = 1, the near one (r ≈ 0.004) for λ = 5.
    assertMatchesBruteForce(A, -3, A_P, B_P, 1, 10);
    assertMatchesBruteForce(A, -3, A_P, B_P, 5, 10);
    BreakEvenResult nearWins = BreakEven.solve(alignment(A, -3), helpfulness(A_P, B_P), 5, 10);
    assertTrue(nearWins.explanation().contains("also peaks locally, lower, at r = 5.713"),
        nearWins::toString);
  }

  @Test
  void noneInRangeWhenTheGainStillWinsAtRMax() {
    BreakEvenResult result = BreakEven.solve(alignment(A, B0), helpfulness(A_P, B_P), 1, 0.1);

    assertEquals(BreakEvenResult.Status.NONE_IN_RANGE, result.status(), result::toString);
    assertTrue(result.explanation().contains("still exceeds"), result::toString);
    assertThrows(IllegalStateException.class, result::norm);
  }

  @Test
  void zeroLambdaNeverBreaksEven() {
    BreakEvenResult result = BreakEven.solve(alignment(A, B0), helpfulness(A_P, B_P), 0, 100);

    assertEquals(BreakEvenResult.Status.NONE_IN_RANGE, result.status(), result::toString);
  }

  @Test
  void neverPaysWhenAlignmentDoesNotMove() {
    BreakEvenResult result = BreakEven.solve(alignment(0, B0), helpfulness(A_P, B_P), 1, 5);

    assertEquals(BreakEvenResult.Status.NEVER_PAYS, result.status(), result::toString);
    assertThrows(IllegalStateException.class, result::norm);
  }

  @Test
  void neverPaysWhenTheGainIsZeroThroughoutTheRange() {
    // tanh(0.8 r − 400) is −1 to the last bit for every |r| <= 10: there is no gain to be had.
    BreakEvenResult result = BreakEven.solve(alignment(A, -400), helpfulness(A_P, B_P), 1, 10);

    assertEquals(BreakEvenResult.Status.NEVER_PAYS, result.status(), result::toString);
  }

  @Test
  void undefinedWhenAFitFailedAndSaysWhich() {
    FitResult failedAlignment = FitResult.failed(TanhFit.MODEL, "design matrix is singular", 5);
    FitResult failedHelpfulness =
        FitResult.failed(InverseQuadraticFit.MODEL, "P at point 0 is outside (0, 1]", 5);

    BreakEvenResult noAlignment =
        BreakEven.solve(failedAlignment, helpfulness(A_P, B_P), 1, 5);
    BreakEvenResult noHelpfulness = BreakEven.solve(alignment(A, B0), failedHelpfulness, 1, 5);

    assertEquals(BreakEvenResult.Status.UNDEFINED, noAlignment.status());
    assertEquals(
        "the alignment (tanh) fit failed: design matrix is singular", noAlignment.explanation());
    assertEquals(BreakEvenResult.Status.UNDEFINED, noHelpfulness.status());
    assertEquals(
        "the helpfulness (inverse-quadratic) fit failed: P at point 0 is outside (0, 1]",
        noHelpfulness.explanation());
    assertThrows(IllegalStateException.class, noAlignment::norm);
  }

  @Test
  void fitsOfNoiseFreeCurvesGiveTheTrueBreakEven() {
    double[] r = Synthetic.grid(-3, 3, 13);
    FitResult tanh = TanhFit.fit(r, Synthetic.curve(r, v -> alignmentAt(v, A, B0)), null);
    FitResult inverseQuadratic =
        InverseQuadraticFit.fit(r, Synthetic.curve(r, v -> helpfulnessAt(v, A_P, B_P)), null);

    assertEquals(1.8817843762, BreakEven.solve(tanh, inverseQuadratic, 1, 6).norm(), 1e-8);
  }

  @Test
  void rejectsSwappedFitsAndNonsenseArguments() {
    FitResult tanh = alignment(A, B0);
    FitResult inverseQuadratic = helpfulness(A_P, B_P);

    assertThrows(
        IllegalArgumentException.class, () -> BreakEven.solve(inverseQuadratic, tanh, 1, 5));
    assertThrows(
        IllegalArgumentException.class, () -> BreakEven.solve(tanh, inverseQuadratic, -1, 5));
    assertThrows(
        IllegalArgumentException.class, () -> BreakEven.solve(tanh, inverseQuadratic, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> BreakEven.solve(tanh, inverseQuadratic, 1, Double.POSITIVE_INFINITY));
    assertThrows(
        IllegalArgumentException.class, () -> BreakEven.solve(tanh, helpfulness(-0.1, 1), 1, 5));
  }
}
