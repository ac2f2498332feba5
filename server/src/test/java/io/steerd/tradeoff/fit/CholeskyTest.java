package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CholeskyTest {
  @Test
  void solvesAndInvertsASymmetricPositiveDefiniteMatrix() {
    double[][] a = {{4, 2, 0.4}, {2, 5, 1}, {0.4, 1, 3}};
    Cholesky cholesky = Cholesky.of(a).orElseThrow();

    double[] x = cholesky.solve(new double[] {1, 2, 3});
    for (int i = 0; i < 3; i++) {
      double ax = a[i][0] * x[0] + a[i][1] * x[1] + a[i][2] * x[2];
      assertEquals(new double[] {1, 2, 3}[i], ax, 1e-12);
    }
    double[][] inverse = cholesky.inverse();
    for (int i = 0; i < 3; i++) {
      double[] row = new double[3];
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          row[j] += a[i][k] * inverse[k][j];
        }
      }
      double[] unit = new double[3];
      unit[i] = 1;
      assertArrayEquals(unit, row, 1e-12);
    }
  }

  @Test
  void refusesSingularAndIndefiniteMatrices() {
    assertTrue(Cholesky.of(new double[][] {{1, 2}, {2, 4}}).isEmpty());
    assertTrue(Cholesky.of(new double[][] {{1, 3}, {3, 1}}).isEmpty());
    assertTrue(Cholesky.of(new double[][] {{0, 0}, {0, 1}}).isEmpty());
  }
}
