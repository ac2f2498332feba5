package io.steerd.tradeoff;

import com.google.protobuf.Timestamp;
import io.steerd.tradeoff.fit.BreakEven;
import io.steerd.tradeoff.fit.BreakEvenResult;
import io.steerd.tradeoff.fit.FitResult;
import io.steerd.tradeoff.fit.InverseQuadraticFit;
import io.steerd.tradeoff.fit.PolynomialFit;
import io.steerd.tradeoff.fit.TanhFit;
import io.steerd.v1.BreakEvenStatus;
import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.PolynomialCurveFit;
import io.steerd.v1.TradeoffFits;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Turns a sweep's measurements into the report: the paper's two curve fits, the local
 * polynomial fits near r = 0, and the break-even norm. Fits are unweighted least squares on the
 * per-point means; a fit that fails says why and carries no numbers.
 */
public final class TradeoffAnalysis {
  /** Local fits use the points with |r| at most this share of the sweep's largest |r|. */
  static final double LOCAL_WINDOW = 0.5;

  private TradeoffAnalysis() {}

  public static TradeoffPoint point(double coefficient, ProbeEvaluator.Result m) {
    TradeoffPoint.Builder p = TradeoffPoint.newBuilder().setCoefficient(coefficient);
    if (m.alignment().present()) {
      p.setAlignment(m.alignment().mean()).setAlignmentStderr(m.alignment().stderr());
    }
    if (m.helpfulness().present()) {
      p.setHelpfulness(m.helpfulness().mean()).setHelpfulnessStderr(m.helpfulness().stderr());
    }
    if (m.textLogprob().present()) {
      p.setTextLogprob(m.textLogprob().mean()).setTextLogprobStderr(m.textLogprob().stderr())
          .setTextAccuracy(m.textAccuracy().mean())
          .setTextAccuracyStderr(m.textAccuracy().stderr());
    }
    return p.build();
  }

  public static TradeoffReport report(Sweep sweep, List<TradeoffPoint> points, Timestamp time,
      double seconds) {
    double[] r = points.stream().mapToDouble(TradeoffPoint::getCoefficient).toArray();
    ProbeEvaluator probes = sweep.probes();
    FitResult alignment = probes.alignmentProbes() > 0
        ? TanhFit.fit(r, values(points, TradeoffPoint::getAlignment), null)
        : FitResult.failed(TanhFit.MODEL, "no alignment probes", points.size());
    FitResult helpfulness = probes.helpfulnessProbes() > 0
        ? InverseQuadraticFit.fit(r, values(points, TradeoffPoint::getHelpfulness), null)
        : FitResult.failed(InverseQuadraticFit.MODEL, "no helpfulness probes", points.size());
    double rMax = Arrays.stream(r).map(Math::abs).max().orElse(0);
    double window = LOCAL_WINDOW * rMax;

    TradeoffFits.Builder fits = TradeoffFits.newBuilder()
        .setAlignment(curve("tanh(a*r + b0)", alignment))
        .setHelpfulness(curve("1 / (1 + a + a*(b^2/2)*r^2)", helpfulness));
    if (probes.alignmentProbes() > 0) {
      fits.setAlignmentLinear(local(r, values(points, TradeoffPoint::getAlignment), 1, window));
    }
    if (probes.helpfulnessProbes() > 0) {
      fits.setHelpfulnessQuadratic(
          local(r, values(points, TradeoffPoint::getHelpfulness), 2, window));
    }

    TradeoffReport.Builder report = TradeoffReport.newBuilder()
        .setVectorId(sweep.vectorId())
        .addAllLayers(Arrays.stream(sweep.layers()).boxed().toList())
        .addAllPoints(points)
        .setFits(fits)
        .setExchangeRate(sweep.exchangeRate())
        .setSweepTime(time)
        .setAlignmentProbes(probes.alignmentProbes())
        .setHelpfulnessProbes(probes.helpfulnessProbes())
        .setTextPassages(probes.textPassages())
        .setSeconds(seconds);
    BreakEvenResult breakEven = alignment.isOk() && helpfulness.isOk()
        ? BreakEven.solve(alignment, helpfulness, sweep.exchangeRate(), rMax) : null;
    if (breakEven == null) {
      report.setBreakEvenStatus(BreakEvenStatus.BREAK_EVEN_UNDEFINED)
          .setBreakEvenReason((alignment.isOk() ? "" : "alignment fit failed: " + alignment.reason()
              + (helpfulness.isOk() ? "" : "; "))
              + (helpfulness.isOk() ? "" : "helpfulness fit failed: " + helpfulness.reason()));
    } else {
      report.setBreakEvenStatus(switch (breakEven.status()) {
        case FOUND -> BreakEvenStatus.BREAK_EVEN_FOUND;
        case NONE_IN_RANGE -> BreakEvenStatus.BREAK_EVEN_NONE_IN_RANGE;
        case NEVER_PAYS -> BreakEvenStatus.BREAK_EVEN_NEVER_PAYS;
        case UNDEFINED -> BreakEvenStatus.BREAK_EVEN_UNDEFINED;
      }).setBreakEvenReason(breakEven.explanation());
      if (breakEven.status() == BreakEvenResult.Status.FOUND) {
        report.setBreakEvenNorm(breakEven.norm());
      }
    }
    return report.build();
  }

  private static CurveFit curve(String form, FitResult fit) {
    CurveFit.Builder c = CurveFit.newBuilder().setForm(form).setPoints(fit.pointCount());
    if (!fit.isOk()) {
      return c.setStatus(FitStatus.FIT_FAILED).setReason(fit.reason()).build();
    }
    c.setStatus(FitStatus.FIT_OK).setR2(fit.r2()).setRmse(fit.rmse());
    for (FitResult.Parameter p : fit.parameters()) {
      c.putParams(p.name(), p.value()).putParamsStderr(p.name(), p.standardError());
    }
    return c.build();
  }

  private static PolynomialCurveFit local(double[] r, double[] y, int degree, double window) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < r.length; i++) {
      if (Math.abs(r[i]) <= window + 1e-12) {
        xs.add(r[i]);
        ys.add(y[i]);
      }
    }
    FitResult fit = PolynomialFit.fit(xs.stream().mapToDouble(Double::doubleValue).toArray(),
        ys.stream().mapToDouble(Double::doubleValue).toArray(), degree, null);
    PolynomialCurveFit.Builder p = PolynomialCurveFit.newBuilder().setWindow(window)
        .setPoints(xs.size());
    if (!fit.isOk()) {
      return p.setStatus(FitStatus.FIT_FAILED).setReason(fit.reason()).build();
    }
    p.setStatus(FitStatus.FIT_OK).setR2(fit.r2());
    for (FitResult.Parameter c : fit.parameters()) {
      FitResult.Interval ci = fit.confidenceInterval(c.name(), 0.95);
      p.addCoefficients(c.value()).addStderr(c.standardError())
          .addCiLow(ci.low()).addCiHigh(ci.high());
    }
    return p.build();
  }

  private static double[] values(List<TradeoffPoint> points, ToDoubleFunction<TradeoffPoint> f) {
    return points.stream().mapToDouble(f).toArray();
  }
}
