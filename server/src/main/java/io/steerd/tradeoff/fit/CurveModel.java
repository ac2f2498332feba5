package io.steerd.tradeoff.fit;

/** A curve y = f(x; θ) that least squares can fit: its value and its gradient in θ. */
interface CurveModel {
  double value(double x, double[] params);

  /** Writes ∂f/∂θ_j at x into {@code gradient[j]}. */
  void gradient(double x, double[] params, double[] gradient);
}
