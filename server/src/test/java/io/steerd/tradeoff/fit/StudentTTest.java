package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StudentTTest {
  @Test
  void quantilesMatchPublishedTables() {
    // Two-sided 95% critical values, to the 9 decimals of standard tables.
    assertEquals(12.706204736, StudentT.quantile(0.975, 1), 1e-8);
    assertEquals(4.302652730, StudentT.quantile(0.975, 2), 1e-8);
    assertEquals(2.570581836, StudentT.quantile(0.975, 5), 1e-8);
    assertEquals(2.228138852, StudentT.quantile(0.975, 10), 1e-8);
    assertEquals(2.042272456, StudentT.quantile(0.975, 30), 1e-8);
    assertEquals(3.169272673, StudentT.quantile(0.995, 10), 1e-8);
  }

  @Test
  void largeDegreesOfFreedomApproachTheNormal() {
    assertEquals(1.959964, StudentT.quantile(0.975, 1e6), 1e-5);
  }

  @Test
  void matchesClosedFormsForOneAndTwoDegreesOfFreedom() {
    for (double p : new double[] {0.6, 0.9, 0.975, 0.999, 0.999999}) {
      // ν = 1 is the Cauchy distribution; ν = 2 has t = (2p − 1) / √(2p(1 − p)).
      double cauchy = Math.tan(Math.PI * (p - 0.5));
      assertEquals(cauchy, StudentT.quantile(p, 1), 1e-10 * cauchy, "p=" + p);
      double two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      assertEquals(two, StudentT.quantile(p, 2), 1e-10 * two, "p=" + p);
    }
  }

  @Test
  void quantileInvertsTheCdfAndIsSymmetric() {
    for (double dof : new double[] {1, 3, 7.5, 40, 500}) {
      for (double p : new double[] {0.001, 0.2, 0.5, 0.8, 0.975}) {
        double t = StudentT.quantile(p, dof);
        assertEquals(p, StudentT.cdf(t, dof), 1e-12, "dof=" + dof + " p=" + p);
        assertEquals(-t, StudentT.quantile(1 - p, dof), 1e-9 * Math.max(1, Math.abs(t)));
      }
    }
  }

  @Test
  void rejectsProbabilitiesAndDegreesOfFreedomOutsideTheirRange() {
    assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(1, 5));
    assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(0, 5));
    assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(0.9, 0));
  }
}
