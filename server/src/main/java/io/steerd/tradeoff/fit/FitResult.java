package io.steerd.tradeoff.fit;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.hipparchus.distribution.continuous.TDistribution;

/**
 * The outcome of one curve fit. An OK result carries parameter values, standard errors and
 * goodness of fit; a FAILED result carries only the reason, so that no number from a degenerate fit
 * can leak into a report: asking it for a value, r2 or rmse throws.
 */
public final class FitResult {
  /**
   * Hipparchus inverts the t cdf by root finding to 1e-9 by default, which would show in the
   * ninth digit of an interval; this takes the quantile to about the precision of the cdf itself.
   */
  private static final double T_QUANTILE_ACCURACY = 1e-12;

  public enum Status {
    OK,
    FAILED
  }

  /**
   * One fitted parameter. The standard error is √(σ² [(JᵀWJ)⁻¹]_jj) with σ² the weighted residual
   * variance; for a nonlinear model that is the usual linearisation at the optimum.
   */
  public record Parameter(String name, double value, double standardError) {
    public Parameter {
      if (!Double.isFinite(value) || !(standardError >= 0) || !Double.isFinite(standardError)) {
        throw new IllegalArgumentException(
            "parameter " + name + " needs a finite value and standard error: " + value + " ± "
                + standardError);
      }
    }
  }

  /** A closed interval [low, high]. */
  public record Interval(double low, double high) {
    public boolean contains(double value) {
      return low <= value && value <= high;
    }
  }

  private final String model;
  private final Status status;
  private final String reason;
  private final List<Parameter> parameters;
  private final double r2;
  private final double rmse;
  private final int pointCount;

  private FitResult(
      String model,
      Status status,
      String reason,
      List<Parameter> parameters,
      double r2,
      double rmse,
      int pointCount) {
    this.model = model;
    this.status = status;
    this.reason = reason;
    this.parameters = List.copyOf(parameters);
    this.r2 = r2;
    this.rmse = rmse;
    this.pointCount = pointCount;
  }

  /**
   * @param r2 coefficient of determination on the scale the curve was fitted on; NaN when the data
   *     have no variance to explain
   */
  public static FitResult ok(
      String model, List<Parameter> parameters, double r2, double rmse, int pointCount) {
    if (pointCount <= parameters.size()) {
      throw new IllegalArgumentException(
          pointCount + " points leave no residual degrees of freedom for " + parameters.size()
              + " parameters");
    }
    return new FitResult(model, Status.OK, "", parameters, r2, rmse, pointCount);
  }

  public static FitResult failed(String model, String reason, int pointCount) {
    return new FitResult(
        model, Status.FAILED, reason, List.of(), Double.NaN, Double.NaN, pointCount);
  }

  /** Which curve was fitted, e.g. {@link TanhFit#MODEL}. */
  public String model() {
    return model;
  }

  public Status status() {
    return status;
  }

  public boolean isOk() {
    return status == Status.OK;
  }

  /** Why the fit failed; empty when it is OK. */
  public String reason() {
    return reason;
  }

  /** The fitted parameters in the model's order; empty for a FAILED fit. */
  public List<Parameter> parameters() {
    return parameters;
  }

  public Parameter parameter(String name) {
    requireOk(name);
    return parameters.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException(model + " has no parameter " + name + ": " + this));
  }

  public double value(String name) {
    return parameter(name).value();
  }

  public double standardError(String name) {
    return parameter(name).standardError();
  }

  /**
   * value ± t((1 + level) / 2, n − p) · standard error. Exact for a linear model with Gaussian
   * noise; for a nonlinear one it inherits the linearisation of the standard error.
   */
  public Interval confidenceInterval(String name, double level) {
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("confidence level must lie in (0, 1): " + level);
    }
    Parameter p = parameter(name);
    double quantile =
        new TDistribution(degreesOfFreedom(), T_QUANTILE_ACCURACY)
            .inverseCumulativeProbability((1 + level) / 2);
    double halfWidth = quantile * p.standardError();
    return new Interval(p.value() - halfWidth, p.value() + halfWidth);
  }

  public double r2() {
    requireOk("r2");
    return r2;
  }

  public double rmse() {
    requireOk("rmse");
    return rmse;
  }

  /** How many points were given to the fit, usable or not. */
  public int pointCount() {
    return pointCount;
  }

  /** n − p: what the residual variance and the t quantiles are based on. */
  public int degreesOfFreedom() {
    requireOk("degrees of freedom");
    return pointCount - parameters.size();
  }

  private void requireOk(String what) {
    if (!isOk()) {
      throw new IllegalStateException(
          "a FAILED " + model + " fit has no " + what + " (" + reason + ")");
    }
  }

  @Override
  public String toString() {
    if (!isOk()) {
      return model + " FAILED (n=" + pointCount + "): " + reason;
    }
    String values =
        parameters.stream()
            .map(
                p ->
                    String.format(
                        Locale.ROOT, "%s=%.6g±%.2g", p.name(), p.value(), p.standardError()))
            .collect(Collectors.joining(" "));
    return String.format(
        Locale.ROOT, "%s OK (n=%d): %s r2=%.4f rmse=%.4g", model, pointCount, values, r2, rmse);
  }
}
