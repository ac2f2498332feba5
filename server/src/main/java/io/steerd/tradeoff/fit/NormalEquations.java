package io.steerd.tradeoff.fit;

import java.util.Optional;

/**
 * The Gauss–Newton normal equations of a curve at parameters θ: JᵀWJ δ = JᵀW(y − f(θ)), where J
 * is the n × p Jacobian of f in θ and W the diagonal of weights.
 */
record NormalEquations(double[][] matrix, double[] rhs) {
  static NormalEquations of(CurveModel curve, double[] params, FitData data) {
    int p = params.length;
    double[][] matrix = new double[p][p];
    double[] rhs = new double[p];
    double[] gradient = new double[p];
    for (int i = 0; i < data.size(); i++) {
      double x = data.x()[i];
      double w = data.w()[i];
      double residual = data.y()[i] - curve.value(x, params);
      curve.gradient(x, params, gradient);
      for (int j = 0; j < p; j++) {
        rhs[j] += w * gradient[j] * residual;
        for (int k = 0; k <= j; k++) {
          matrix[j][k] += w * gradient[j] * gradient[k];
        }
      }
    }
    for (int j = 0; j < p; j++) {
      for (int k = j + 1; k < p; k++) {
        matrix[j][k] = matrix[k][j];
      }
    }
    return new NormalEquations(matrix, rhs);
  }

  /**
   * The weighted least-squares coefficients of a curve that is linear in its parameters, or empty
   * when the design matrix is singular. For such a curve one Gauss–Newton step from θ = 0 lands
   * exactly on the minimum: the matrix is XᵀWX and the right-hand side XᵀWy.
   */
  static Optional<double[]> solveLinear(CurveModel linearCurve, int parameterCount, FitData data) {
    NormalEquations equations = of(linearCurve, new double[parameterCount], data);
    return Cholesky.of(equations.matrix()).map(cholesky -> cholesky.solve(equations.rhs()));
  }
}
