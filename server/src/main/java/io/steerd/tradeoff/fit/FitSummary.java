package io.steerd.tradeoff.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hipparchus.linear.RealMatrix;

/** Turns least-squares parameters into a {@link FitResult}: standard errors and goodness of fit. */
final class FitSummary {
  static final String NOT_IDENTIFIABLE =
      "parameters are not identifiable: the Jacobian is rank-deficient at the solution";

  private FitSummary() {}

  /**
   * @param curve the curve in the parameterisation to report, so the standard errors come out for
   *     exactly the parameters named
   */
  static FitResult summarize(
      String model, List<String> names, double[] params, CurveModel curve, FitData data) {
    for (double param : params) {
      if (!Double.isFinite(param)) {
        return FitResult.failed(model, "the fit diverged to non-finite parameters", data.size());
      }
    }
    Optional<RealMatrix> unscaledCovariance = LeastSquares.unscaledCovariance(curve, data, params);
    if (unscaledCovariance.isEmpty()) {
      return FitResult.failed(model, NOT_IDENTIFIABLE, data.size());
    }
    double[] fitted = new double[data.size()];
    for (int i = 0; i < fitted.length; i++) {
      fitted[i] = curve.value(data.x()[i], params);
    }
    double residualVariance = data.weightedSquaredError(fitted) / (data.size() - params.length);
    List<FitResult.Parameter> parameters = new ArrayList<>();
    for (int j = 0; j < params.length; j++) {
      double standardError = Math.sqrt(residualVariance * unscaledCovariance.get().getEntry(j, j));
      parameters.add(new FitResult.Parameter(names.get(j), params[j], standardError));
    }
    return FitResult.ok(
        model, parameters, data.rSquared(fitted), data.rootMeanSquaredError(fitted), data.size());
  }
}
