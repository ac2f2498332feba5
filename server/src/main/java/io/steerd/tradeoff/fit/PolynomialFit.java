package io.steerd.tradeoff.fit;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Weighted least-squares polynomial y = c0 + c1 x + … + cd x^d, for local checks near r = 0: a
 * linear fit of B tells the slope of alignment, and a quadratic fit of P with the confidence
 * interval of c1 shows whether the helpfulness loss is really quadratic (an interval holding 0)
 * or has a linear part.
 *
 * <p>x is not centred, so c1 is the slope at x = 0 itself; that keeps the normal equations well
 * conditioned only for |x| of order one and low degrees, which is what steering sweeps use.
 */
public final class PolynomialFit {
  private PolynomialFit() {}

  public static String model(int degree) {
    return "polynomial of degree " + degree;
  }

  /**
   * @param weights relative weights, or null for ordinary least squares
   * @return parameters c0..cd; {@link FitResult#confidenceInterval} gives their t intervals
   */
  public static FitResult fit(double[] x, double[] y, int degree, double[] weights) {
    if (degree < 0) {
      throw new IllegalArgumentException("degree must be at least 0: " + degree);
    }
    String model = model(degree);
    FitData data = FitData.of(x, y, weights);
    int parameterCount = degree + 1;
    Optional<String> problem =
        data.problem(parameterCount, "x", "y")
            .or(() -> FitData.singularDesign(data.x(), parameterCount, "x"));
    if (problem.isPresent()) {
      return FitResult.failed(model, problem.get(), data.size());
    }
    PolynomialCurve curve = new PolynomialCurve(degree);
    Optional<double[]> coefficients = LeastSquares.solveLinear(curve, parameterCount, data);
    if (coefficients.isEmpty()) {
      return FitResult.failed(model, FitData.NUMERICALLY_SINGULAR, data.size());
    }
    List<String> names = IntStream.rangeClosed(0, degree).mapToObj(k -> "c" + k).toList();
    return FitSummary.summarize(model, names, coefficients.get(), curve, data);
  }
}
