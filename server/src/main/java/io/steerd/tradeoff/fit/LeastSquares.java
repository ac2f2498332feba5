package io.steerd.tradeoff.fit;

import java.util.Optional;
import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.DiagonalMatrix;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem.Evaluation;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.util.Pair;

/**
 * A {@link CurveModel} fitted to {@link FitData} by Hipparchus. Its evaluations weight residuals
 * and Jacobian rows by √w, so their JᵀJ is the JᵀWJ of the weighted normal equations.
 */
final class LeastSquares {
  static final int MAX_ITERATIONS = 200;
  static final String NOT_CONVERGED = "did not converge in " + MAX_ITERATIONS + " iterations";
  /**
   * Levenberg–Marquardt may shrink its trust region several times within one iteration; this only
   * bounds a runaway, so that the iteration count is what ends a fit that does not converge.
   */
  private static final int MAX_EVALUATIONS = 100 * MAX_ITERATIONS;
  /**
   * Stop once an accepted step lowers the weighted squared error by less than this fraction.
   * Hipparchus's default of 1e-10 stops tanh fits of steering sweeps up to 1e-7 short of where
   * they settle; below about 1e-14 the squared error no longer resolves the parameters.
   */
  private static final double RELATIVE_COST_TOLERANCE = 1e-14;

  private LeastSquares() {}

  /** The minimising parameters, or empty when {@link #MAX_ITERATIONS} pass without convergence. */
  static Optional<double[]> minimize(CurveModel curve, FitData data, double[] start) {
    try {
      return Optional.of(
          new LevenbergMarquardtOptimizer()
              .withCostRelativeTolerance(RELATIVE_COST_TOLERANCE)
              .optimize(problem(curve, data, start))
              .getPoint()
              .toArray());
    } catch (MathIllegalStateException e) {
      // With every tolerance above machine epsilon, the optimizer gives up only when its
      // iteration or evaluation count runs out.
      return Optional.empty();
    }
  }

  /**
   * The weighted least-squares coefficients of a curve that is linear in its parameters, or empty
   * when the design matrix is singular. For such a curve one Gauss–Newton step from θ = 0 lands
   * exactly on the minimum: JᵀWJ δ = JᵀW y.
   */
  static Optional<double[]> solveLinear(CurveModel linearCurve, int parameterCount, FitData data) {
    Evaluation atZero = evaluate(linearCurve, data, new double[parameterCount]);
    RealMatrix jacobian = atZero.getJacobian();
    return NormalMatrix.of(jacobian)
        .map(normal -> normal.solve(jacobian.transpose().operate(atZero.getResiduals())));
  }

  /** (JᵀWJ)⁻¹ at {@code params}, or empty when the Jacobian is rank-deficient there. */
  static Optional<RealMatrix> unscaledCovariance(
      CurveModel curve, FitData data, double[] params) {
    return NormalMatrix.of(evaluate(curve, data, params).getJacobian()).map(NormalMatrix::inverse);
  }

  private static Evaluation evaluate(CurveModel curve, FitData data, double[] params) {
    return problem(curve, data, params).evaluate(new ArrayRealVector(params));
  }

  private static LeastSquaresProblem problem(CurveModel curve, FitData data, double[] start) {
    return new LeastSquaresBuilder()
        .model(point -> valueAndJacobian(curve, data, point.toArray()))
        .target(data.y())
        .weight(new DiagonalMatrix(data.w()))
        .start(start)
        .maxIterations(MAX_ITERATIONS)
        .maxEvaluations(MAX_EVALUATIONS)
        .build();
  }

  private static Pair<RealVector, RealMatrix> valueAndJacobian(
      CurveModel curve, FitData data, double[] params) {
    double[] values = new double[data.size()];
    double[][] jacobian = new double[data.size()][params.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = curve.value(data.x()[i], params);
      curve.gradient(data.x()[i], params, jacobian[i]);
    }
    return new Pair<>(new ArrayRealVector(values, false), new Array2DRowRealMatrix(jacobian, false));
  }
}
