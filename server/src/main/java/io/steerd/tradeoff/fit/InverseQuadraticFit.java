package io.steerd.tradeoff.fit;

import java.util.List;
import java.util.Optional;

/**
 * Fits helpfulness, the probability of the correct answer, as P(r) = 1 / (1 + a + a·(b²/2)·r²)
 * over the steering norm r (Wolf et al., arXiv 2401.16332): it falls quadratically near r = 0.
 *
 * <p>The search runs in (a, c) with c = a·b²/2, where 1/P − 1 = a + c r² is linear: that
 * gives the start directly, has no sign ambiguity in b, and stays regular where b → 0. The
 * result is then reported, with standard errors, in (a, b) with b ≥ 0.
 */
public final class InverseQuadraticFit {
  public static final String MODEL = "inverse-quadratic";

  /**
   * The slope counts as zero when, over the whole r² range, it moves 1/P − 1 by less than this
   * fraction of its size: flat data would otherwise pass on rounding noise.
   */
  private static final double FLAT_TOLERANCE = 1e-10;

  /** P = 1 / (1 + a + c r²) in parameters (a, c). */
  private static final CurveModel SEARCH_CURVE =
      new CurveModel() {
        @Override
        public double value(double r, double[] params) {
          return 1 / (1 + params[0] + params[1] * r * r);
        }

        @Override
        public void gradient(double r, double[] params, double[] gradient) {
          double p = value(r, params);
          gradient[0] = -p * p;
          gradient[1] = -r * r * p * p;
        }
      };

  /** P = 1 / (1 + a + a (b²/2) r²) in the reported parameters (a, b). */
  private static final CurveModel REPORTED_CURVE =
      new CurveModel() {
        @Override
        public double value(double r, double[] params) {
          return 1 / denominator(r, params[0], params[1]);
        }

        @Override
        public void gradient(double r, double[] params, double[] gradient) {
          double a = params[0];
          double b = params[1];
          double denominator = denominator(r, a, b);
          double squared = denominator * denominator;
          gradient[0] = -(1 + b * b * r * r / 2) / squared;
          gradient[1] = -a * b * r * r / squared;
        }
      };

  private InverseQuadraticFit() {}

  /**
   * @param p probability of the correct answer at each norm, in (0, 1]
   * @param weights relative weights, or null for equal ones
   * @return parameters {@code a} and {@code b} (b ≥ 0)
   */
  public static FitResult fit(double[] r, double[] p, double[] weights) {
    FitData data = FitData.of(r, p, weights);
    Optional<String> problem =
        data.problem(2, "r", "P")
            .or(() -> outsideProbabilityRange(data.y()))
            .or(() -> FitData.singularDesign(squares(data.x()), 2, "r²"));
    if (problem.isPresent()) {
      return FitResult.failed(MODEL, problem.get(), data.size());
    }
    FitData linearised = data.transformed(x -> x * x, y -> 1 / y - 1);
    Optional<double[]> line = LeastSquares.solveLinear(new PolynomialCurve(1), 2, linearised);
    if (line.isEmpty()) {
      return FitResult.failed(MODEL, FitData.NUMERICALLY_SINGULAR, data.size());
    }
    Optional<double[]> fitted = LeastSquares.minimize(SEARCH_CURVE, data, line.get());
    if (fitted.isEmpty()) {
      return FitResult.failed(MODEL, LeastSquares.NOT_CONVERGED, data.size());
    }
    double a = fitted.get()[0];
    double c = fitted.get()[1];
    if (!fallsWithRSquared(c, linearised)) {
      return FitResult.failed(
          MODEL,
          "slope of 1/P - 1 on r² is <= 0: helpfulness does not fall quadratically with |r|",
          data.size());
    }
    if (!(a > 0)) {
      return FitResult.failed(
          MODEL,
          "fitted a <= 0 (P(0) >= 1): outside the model 1/(1 + a + a (b²/2) r²), which needs a > 0",
          data.size());
    }
    double[] reported = {a, Math.sqrt(2 * c / a)};
    return FitSummary.summarize(MODEL, List.of("a", "b"), reported, REPORTED_CURVE, data);
  }

  private static boolean fallsWithRSquared(double slope, FitData linearised) {
    double lowest = Double.POSITIVE_INFINITY;
    double highest = Double.NEGATIVE_INFINITY;
    double largestValue = 1;
    for (int i = 0; i < linearised.size(); i++) {
      lowest = Math.min(lowest, linearised.x()[i]);
      highest = Math.max(highest, linearised.x()[i]);
      largestValue = Math.max(largestValue, Math.abs(linearised.y()[i]));
    }
    return slope * (highest - lowest) > FLAT_TOLERANCE * largestValue;
  }

  private static Optional<String> outsideProbabilityRange(double[] p) {
    for (int i = 0; i < p.length; i++) {
      if (!(p[i] > 0 && p[i] <= 1)) {
        return Optional.of("P at point " + i + " is outside (0, 1] (P = " + p[i] + ")");
      }
    }
    return Optional.empty();
  }

  private static double[] squares(double[] r) {
    double[] squares = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      squares[i] = r[i] * r[i];
    }
    return squares;
  }

  private static double denominator(double r, double a, double b) {
    return 1 + a + a * (b * b / 2) * r * r;
  }
}
