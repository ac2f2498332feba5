package io.steerd.tradeoff.fit;

import java.util.Optional;
import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.DecompositionSolver;
import org.hipparchus.linear.DiagonalMatrix;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;

/**
 * The normal matrix JᵀJ of a weighted Jacobian J, factored for solves and inverses.
 *
 * <p>Hipparchus judges singularity against an absolute pivot threshold, but weights are relative
 * and parameters have their own units. So J's columns are first scaled to unit norm: JᵀJ then has
 * a unit diagonal, and the absolute threshold becomes a bound on each pivot relative to its
 * diagonal entry, which no rescaling of weights or parameters can move.
 */
final class NormalMatrix {
  /**
   * A pivot this small relative to its diagonal entry means the column is, to rounding, a
   * combination of the earlier ones: the matrix is singular for our purposes.
   */
  private static final double RELATIVE_PIVOT_TOLERANCE = 1e-12;

  private final DecompositionSolver scaled;
  /** 1 / ‖column‖ of J, so that JᵀJ = D⁻¹ S D⁻¹ with S the unit-diagonal matrix factored. */
  private final DiagonalMatrix unscale;

  private NormalMatrix(DecompositionSolver scaled, DiagonalMatrix unscale) {
    this.scaled = scaled;
    this.unscale = unscale;
  }

  /** Factors JᵀJ, or returns empty when it is not numerically positive definite. */
  static Optional<NormalMatrix> of(RealMatrix jacobian) {
    double[] inverseNorms = new double[jacobian.getColumnDimension()];
    for (int j = 0; j < inverseNorms.length; j++) {
      double norm = jacobian.getColumnVector(j).getNorm();
      if (!(norm > 0) || !Double.isFinite(norm)) {
        return Optional.empty();
      }
      inverseNorms[j] = 1 / norm;
    }
    DiagonalMatrix unscale = new DiagonalMatrix(inverseNorms);
    RealMatrix equilibrated = jacobian.multiply(unscale);
    try {
      CholeskyDecomposition cholesky =
          new CholeskyDecomposition(
              equilibrated.transpose().multiply(equilibrated),
              CholeskyDecomposition.DEFAULT_RELATIVE_SYMMETRY_THRESHOLD,
              RELATIVE_PIVOT_TOLERANCE);
      return Optional.of(new NormalMatrix(cholesky.getSolver(), unscale));
    } catch (MathIllegalArgumentException notPositiveDefinite) {
      return Optional.empty();
    }
  }

  /** x with JᵀJ x = b. */
  double[] solve(RealVector b) {
    return unscale.operate(scaled.solve(unscale.operate(b))).toArray();
  }

  /** (JᵀJ)⁻¹. */
  RealMatrix inverse() {
    return unscale.multiply(scaled.getInverse()).multiply(unscale);
  }
}
