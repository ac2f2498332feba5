package io.steerd.steering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The PCA direction against principal axes known by construction. */
class VectorExtractorTest {
  private static final double[] U = {0.6, 0.8, 0, 0};
  private static final double[] W = {0, 0, 1, 0};
  private static final double[] MEAN = {1, 1, 1, 1};

  /**
   * Rows mean + t u + s w with sum(t) = sum(s) = sum(t s) = 0, so about their mean the scatter
   * matrix is sum(t^2) u u^T + sum(s^2) w w^T: u is the first component, with share
   * sum(t^2) / (sum(t^2) + sum(s^2)).
   */
  private static double[][] rows(double[] t, double[] s) {
    double[][] rows = new double[t.length][MEAN.length];
    for (int r = 0; r < t.length; r++) {
      for (int j = 0; j < MEAN.length; j++) {
        rows[r][j] = MEAN[j] + t[r] * U[j] + s[r] * W[j];
      }
    }
    return rows;
  }

  private static void assertFirstComponentIsU(double[] t, double[] s) {
    double tt = 0;
    double ss = 0;
    for (int r = 0; r < t.length; r++) {
      tt += t[r] * t[r];
      ss += s[r] * s[r];
    }
    VectorExtractor.PrincipalComponent pc = VectorExtractor.firstComponent(rows(t, s), MEAN);
    double sign = Math.signum(pc.direction()[0]);
    double[] direction = pc.direction().clone();
    for (int j = 0; j < direction.length; j++) {
      direction[j] *= sign;
    }
    assertArrayEquals(U, direction, 1e-9);
    assertEquals(tt / (tt + ss), pc.explainedVariance(), 1e-9);
  }

  @Test
  void aWellSeparatedFirstAxisIsFoundExactly() {
    assertFirstComponentIsU(new double[] {-3, -1, 1, 3}, new double[] {0.5, -0.5, -0.5, 0.5});
  }

  /** Second variance 99% of the first: slow for an iterative method, exact for a decomposition. */
  @Test
  void anAxisBarelyAheadOfTheNextIsStillFoundExactly() {
    double a = Math.sqrt(5);
    double b = Math.sqrt(0.99 * 5);
    assertFirstComponentIsU(new double[] {-a, -a, a, a}, new double[] {-b, b, -b, b});
  }

  @Test
  void identicalRowsHaveNoVarianceToExplain() {
    double[][] rows = {MEAN.clone(), MEAN.clone(), MEAN.clone()};
    VectorExtractor.PrincipalComponent pc = VectorExtractor.firstComponent(rows, MEAN);
    assertEquals(0.0, pc.explainedVariance());
    double norm = 0;
    for (double x : pc.direction()) {
      norm += x * x;
    }
    assertEquals(1.0, Math.sqrt(norm), 1e-12);
  }
}
