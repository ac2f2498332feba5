package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The t quantiles behind {@link FitResult#confidenceInterval}, against known values. */
class ConfidenceIntervalTest {
  /**
   * The t with P(T ≤ t) = p for ν = {@code dof}: the upper end of the two-sided interval of level
   * 2p − 1 around 0 with a standard error of 1. For p ≥ ½ both 2p − 1 and the interval's own
   * (1 + level) / 2 are exact in floating point, so the quantile is taken at p itself.
   */
  private static double quantile(double p, int dof) {
    return fitWithDegreesOfFreedom(dof).confidenceInterval("c0", 2 * p - 1).high();
  }

  private static FitResult fitWithDegreesOfFreedom(int dof) {
    return FitResult.ok("line", List.of(new FitResult.Parameter("c0", 0, 1)), 0.9, 0.3, dof + 1);
  }

  @Test
  void quantilesMatchPublishedTables() {
    // Two-sided 95% critical values, to the 9 decimals of standard tables.
    assertEquals(12.706204736, quantile(0.975, 1), 1e-8);
    assertEquals(4.302652730, quantile(0.975, 2), 1e-8);
    assertEquals(2.570581836, quantile(0.975, 5), 1e-8);
    assertEquals(2.228138852, quantile(0.975, 10), 1e-8);
    assertEquals(2.042272456, quantile(0.975, 30), 1e-8);
    assertEquals(3.169272673, quantile(0.995, 10), 1e-8);
  }

  @Test
  void largeDegreesOfFreedomApproachTheNormal() {
    assertEquals(1.959964, quantile(0.975, 1_000_000), 1e-5);
  }

  @Test
  void matchesClosedFormsForOneAndTwoDegreesOfFreedom() {
    for (double p : new double[] {0.6, 0.9, 0.975, 0.999, 0.999999}) {
      // ν = 1 is the Cauchy distribution; ν = 2 has t = (2p − 1) / √(2p(1 − p)).
      double cauchy = Math.tan(Math.PI * (p - 0.5));
      assertEquals(cauchy, quantile(p, 1), 1e-10 * cauchy, "p=" + p);
      double two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      assertEquals(two, quantile(p, 2), 1e-10 * two, "p=" + p);
    }
  }

  @Test
  void rejectsLevelsOutsideTheUnitInterval() {
    FitResult fit = fitWithDegreesOfFreedom(5);

    assertThrows(IllegalArgumentException.class, () -> fit.confidenceInterval("c0", 1));
    assertThrows(IllegalArgumentException.class, () -> fit.confidenceInterval("c0", 0));
  }
}
