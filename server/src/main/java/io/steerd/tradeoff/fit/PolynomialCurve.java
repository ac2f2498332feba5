package io.steerd.tradeoff.fit;

/** y = c0 + c1 x + … + cd x^d: linear in its coefficients, so its gradient is the powers of x. */
record PolynomialCurve(int degree) implements CurveModel {
  @Override
  public double value(double x, double[] coefficients) {
    double y = 0;
    for (int k = degree; k >= 0; k--) {
      y = y * x + coefficients[k];
    }
    return y;
  }

  @Override
  public void gradient(double x, double[] coefficients, double[] gradient) {
    double power = 1;
    for (int k = 0; k <= degree; k++) {
      gradient[k] = power;
      power *= x;
    }
  }
}
