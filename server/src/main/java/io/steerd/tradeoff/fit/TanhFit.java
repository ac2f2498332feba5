package io.steerd.tradeoff.fit;

import java.util.List;
import java.util.Optional;

/**
 * Fits alignment B(r) = P(good) − P(bad) as tanh(a·r + b0) over the steering norm r (Wolf et al.,
 * arXiv 2401.16332): B rises about linearly near r = 0 and saturates at ±1.
 */
public final class TanhFit {
  public static final String MODEL = "tanh";
  /** atanh(±1) is infinite, so the linearised start clips saturated points to this. */
  private static final double ATANH_CLIP = 0.999;

  /** B = tanh(a r + b0) in parameters (a, b0). */
  private static final CurveModel CURVE =
      new CurveModel() {
        @Override
        public double value(double r, double[] params) {
          return Math.tanh(params[0] * r + params[1]);
        }

        @Override
        public void gradient(double r, double[] params, double[] gradient) {
          double tanh = Math.tanh(params[0] * r + params[1]);
          double sech2 = 1 - tanh * tanh;
          gradient[0] = r * sech2;
          gradient[1] = sech2;
        }
      };

  private TanhFit() {}

  /**
   * @param b alignment at each norm, in [−1, 1]
   * @param weights relative weights, or null for equal ones
   * @return parameters {@code a} and {@code b0}
   */
  public static FitResult fit(double[] r, double[] b, double[] weights) {
    FitData data = FitData.of(r, b, weights);
    Optional<String> problem =
        data.problem(2, "r", "B")
            .or(() -> outsideUnitInterval(data.y()))
            .or(() -> FitData.singularDesign(data.x(), 2, "r"));
    if (problem.isPresent()) {
      return FitResult.failed(MODEL, problem.get(), data.size());
    }
    // atanh(B) = a r + b0 is a straight line; its fit is a start LM can refine on B's own scale,
    // where the noise is.
    FitData linearised =
        data.transformed(x -> x, y -> atanh(Math.max(-ATANH_CLIP, Math.min(ATANH_CLIP, y))));
    Optional<double[]> line = LeastSquares.solveLinear(new PolynomialCurve(1), 2, linearised);
    if (line.isEmpty()) {
      return FitResult.failed(MODEL, FitData.NUMERICALLY_SINGULAR, data.size());
    }
    double[] start = {line.get()[1], line.get()[0]};
    Optional<double[]> fitted = LeastSquares.minimize(CURVE, data, start);
    if (fitted.isEmpty()) {
      return FitResult.failed(MODEL, LeastSquares.NOT_CONVERGED, data.size());
    }
    return FitSummary.summarize(MODEL, List.of("a", "b0"), fitted.get(), CURVE, data);
  }

  private static Optional<String> outsideUnitInterval(double[] b) {
    for (int i = 0; i < b.length; i++) {
      if (Math.abs(b[i]) > 1) {
        return Optional.of("B at point " + i + " is outside [-1, 1] (B = " + b[i] + ")");
      }
    }
    return Optional.empty();
  }

  private static double atanh(double y) {
    return 0.5 * Math.log((1 + y) / (1 - y));
  }
}
