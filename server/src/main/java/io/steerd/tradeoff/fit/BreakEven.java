package io.steerd.tradeoff.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The steering norm beyond which more steering stops paying: where the marginal alignment gain
 * dB/dr equals λ times the marginal helpfulness loss −dP/dr, both from the fitted curves.
 *
 * <p>With t = |r| measured in the direction where alignment rises, the net marginal benefit
 * net(t) = dB/dt − λ·(−dP/dt) is the slope of the utility U = B + λP, and a break-even norm is
 * where net falls through zero: a local maximum of U. The gain is a bell in t and the loss starts
 * at 0, so net(0+) is the gain at r = 0; but net can change sign more than once: a model far in
 * the tanh tail at r = 0 first loses more than it gains, then gains again as B swings through
 * zero. Of all such points, r* is the one with the highest U, which is where one would stop
 * steering; the explanation names the others.
 */
public final class BreakEven {
  /** Grid cells per characteristic length of either curve, so no pair of sign changes hides. */
  private static final int CELLS_PER_SCALE = 100;
  private static final int MIN_CELLS = 1_000;
  private static final int MAX_CELLS = 2_000_000;

  private BreakEven() {}

  /**
   * @param alignment a {@link TanhFit} result (a, b0)
   * @param helpfulness an {@link InverseQuadraticFit} result (a, b)
   * @param lambda how many units of alignment one unit of helpfulness is worth; at least 0
   * @param rMax the largest |r| to search
   */
  public static BreakEvenResult solve(
      FitResult alignment, FitResult helpfulness, double lambda, double rMax) {
    requireModel(alignment, TanhFit.MODEL);
    requireModel(helpfulness, InverseQuadraticFit.MODEL);
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and at least 0: " + lambda);
    }
    if (!(rMax > 0) || Double.isInfinite(rMax)) {
      throw new IllegalArgumentException("rMax must be positive and finite: " + rMax);
    }
    if (!alignment.isOk()) {
      return BreakEvenResult.withoutNorm(
          BreakEvenResult.Status.UNDEFINED,
          "the alignment (tanh) fit failed: " + alignment.reason());
    }
    if (!helpfulness.isOk()) {
      return BreakEvenResult.withoutNorm(
          BreakEvenResult.Status.UNDEFINED,
          "the helpfulness (inverse-quadratic) fit failed: " + helpfulness.reason());
    }
    if (!(helpfulness.value("a") > 0) || helpfulness.value("b") < 0) {
      throw new IllegalArgumentException(
          "an inverse-quadratic fit needs a > 0 and b >= 0, as InverseQuadraticFit reports: "
              + helpfulness);
    }
    Margins margins =
        new Margins(
            alignment.value("a"),
            alignment.value("b0"),
            helpfulness.value("a"),
            helpfulness.value("b"),
            lambda);
    if (margins.a() == 0) {
      return BreakEvenResult.withoutNorm(
          BreakEvenResult.Status.NEVER_PAYS,
          "alignment does not change with r (a = 0): any steering only costs helpfulness");
    }
    return scan(margins, rMax);
  }

  /**
   * Scans net(t) over [0, rMax] for the local maxima of U, bisects each to rounding, and keeps the
   * highest, preferring the smaller norm on a tie.
   */
  private static BreakEvenResult scan(Margins margins, double rMax) {
    int cells = cellCount(margins, rMax);
    List<LocalMaximum> maxima = new ArrayList<>();
    double previousT = 0;
    double previousNet = margins.net(0);
    if (previousNet <= 0) {
      maxima.add(new LocalMaximum(0, BreakEvenResult.Status.NEVER_PAYS));
    }
    for (int k = 1; k <= cells; k++) {
      double t = rMax * k / cells;
      double net = margins.net(t);
      if (previousNet > 0 && net <= 0) {
        maxima.add(
            new LocalMaximum(margins.bisect(previousT, t), BreakEvenResult.Status.FOUND));
      }
      previousT = t;
      previousNet = net;
    }
    if (previousNet > 0) {
      maxima.add(new LocalMaximum(rMax, BreakEvenResult.Status.NONE_IN_RANGE));
    }
    // Never empty: net either starts ≤ 0, or it is > 0 at the end, or it fell through 0 between.
    LocalMaximum best = maxima.get(0);
    for (LocalMaximum candidate : maxima) {
      if (margins.utility(candidate.t()) > margins.utility(best.t())) {
        best = candidate;
      }
    }
    String others = others(maxima, best, margins.direction());
    return switch (best.status()) {
      case NEVER_PAYS -> BreakEvenResult.withoutNorm(
          BreakEvenResult.Status.NEVER_PAYS,
          format(
              "lambda times the marginal helpfulness loss is at least the alignment gain from"
                  + " r -> 0+, and no norm up to |r| = %.4g makes B + lambda P higher than at"
                  + " r = 0",
              rMax)
              + others);
      case NONE_IN_RANGE -> BreakEvenResult.withoutNorm(
          BreakEvenResult.Status.NONE_IN_RANGE,
          format(
              "the marginal alignment gain still exceeds lambda times the marginal helpfulness"
                  + " loss at |r| = rMax = %.4g, and B + lambda P is highest there; any"
                  + " break-even lies beyond",
              rMax)
              + others);
      default -> {
        double norm = margins.direction() * best.t();
        yield BreakEvenResult.found(
            norm,
            format(
                "at r* = %.6g the marginal alignment gain equals lambda times the marginal"
                    + " helpfulness loss, and B + lambda P is highest there within |r| <= %.4g",
                norm, rMax)
                + others);
      }
    };
  }

  /**
   * A local maximum of U at distance t, labelled with the result it gives if it is the highest:
   * an interior sign change of net is FOUND, t = 0 is NEVER_PAYS, t = rMax is NONE_IN_RANGE.
   */
  private record LocalMaximum(double t, BreakEvenResult.Status status) {}

  /** Names the local maxima that lost to {@code best}, so a reader knows U has several. */
  private static String others(List<LocalMaximum> maxima, LocalMaximum best, double direction) {
    List<String> rest =
        maxima.stream()
            .filter(candidate -> candidate != best)
            .map(candidate -> format("%.4g", direction * candidate.t()))
            .toList();
    return rest.isEmpty()
        ? ""
        : " (B + lambda P also peaks locally, lower, at r = " + String.join(", ", rest) + ")";
  }

  /** Enough cells to resolve the narrower of the two curves' characteristic lengths. */
  private static int cellCount(Margins margins, double rMax) {
    double scale = Math.min(margins.alignmentScale(), margins.helpfulnessScale());
    double cells = Math.ceil(rMax / scale * CELLS_PER_SCALE);
    return (int) Math.max(MIN_CELLS, Math.min(MAX_CELLS, cells));
  }

  private static void requireModel(FitResult fit, String model) {
    if (!fit.model().equals(model)) {
      throw new IllegalArgumentException("expected a " + model + " fit, got " + fit.model());
    }
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  /**
   * The two marginal effects at distance t ≥ 0 along the direction where B rises.
   *
   * @param a slope of the tanh fit, whose sign picks the direction; with b0, the alignment fit
   * @param aP with b, the helpfulness fit
   */
  private record Margins(double a, double b0, double aP, double b, double lambda) {
    double direction() {
      return Math.signum(a);
    }

    /** dB/d|r| = |a| sech²(a r + b0) with r = direction · t. */
    double gain(double t) {
      return Math.abs(a) * sech2(a * direction() * t + b0);
    }

    /** −dP/d|r| = aP b² t / (1 + aP + aP b² t² / 2)². */
    double loss(double t) {
      double denominator = 1 + aP + aP * b * b * t * t / 2;
      return aP * b * b * t / (denominator * denominator);
    }

    double net(double t) {
      return gain(t) - lambda * loss(t);
    }

    /** U = B + λP at r = direction · t: what the break-even maximises locally. */
    double utility(double t) {
      double r = direction() * t;
      return Math.tanh(a * r + b0) + lambda / (1 + aP + aP * b * b * r * r / 2);
    }

    /** Over about 1/|a| in r, B goes through most of its swing. */
    double alignmentScale() {
      return 1 / Math.abs(a);
    }

    /** At this |r| the denominator of P has doubled from its value at r = 0. */
    double helpfulnessScale() {
      double curvature = aP * b * b;
      return curvature > 0 ? Math.sqrt(2 * (1 + aP) / curvature) : Double.POSITIVE_INFINITY;
    }

    /** The sign change of net in [low, high], given net(low) > 0 ≥ net(high). */
    double bisect(double low, double high) {
      while (true) {
        double mid = 0.5 * (low + high);
        if (mid <= low || mid >= high) {
          return mid;
        }
        if (net(mid) > 0) {
          low = mid;
        } else {
          high = mid;
        }
      }
    }

    /** sech²(x) written with e^(−2|x|), which cannot overflow the way cosh can. */
    private static double sech2(double x) {
      double e = Math.exp(-2 * Math.abs(x));
      return 4 * e / ((1 + e) * (1 + e));
    }
  }
}
