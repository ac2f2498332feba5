package io.steerd.tradeoff.fit;

import java.util.Optional;

/**
 * Levenberg–Marquardt for small weighted least-squares problems: Gauss–Newton steps, each damped
 * by adding λ·diag(JᵀWJ) to the normal matrix until it lowers the cost. Scaling the damping by the
 * diagonal keeps it indifferent to the units of each parameter.
 */
final class LevenbergMarquardt {
  static final int MAX_ITERATIONS = 200;

  private static final double INITIAL_DAMPING = 1e-3;
  private static final double MIN_DAMPING = 1e-12;
  /**
   * Damping this large makes the step a vanishing gradient step; if even that cannot lower the
   * cost, the parameters sit at the minimum to rounding.
   */
  private static final double MAX_DAMPING = 1e15;
  /** Stop once no parameter moves by more than this fraction of its size. */
  private static final double RELATIVE_STEP_TOLERANCE = 1e-10;
  /** ...or once an accepted step lowers the cost by less than this fraction. */
  private static final double RELATIVE_COST_TOLERANCE = 1e-14;

  private LevenbergMarquardt() {}

  /** The minimising parameters, or empty when {@link #MAX_ITERATIONS} pass without convergence. */
  static Optional<double[]> minimize(CurveModel curve, FitData data, double[] start) {
    double[] params = start.clone();
    double cost = cost(curve, params, data);
    double damping = INITIAL_DAMPING;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      NormalEquations equations = NormalEquations.of(curve, params, data);
      while (true) {
        Optional<double[]> step = dampedStep(equations, damping);
        if (step.isPresent()) {
          double[] trial = add(params, step.get());
          double trialCost = cost(curve, trial, data);
          if (trialCost < cost) {
            boolean converged =
                isSmall(step.get(), trial) || cost - trialCost <= RELATIVE_COST_TOLERANCE * cost;
            params = trial;
            cost = trialCost;
            damping = Math.max(damping / 10, MIN_DAMPING);
            if (converged) {
              return Optional.of(params);
            }
            break;
          }
        }
        // NaN costs land here too: an overflowing trial is rejected like an uphill one.
        damping *= 10;
        if (damping > MAX_DAMPING) {
          return Optional.of(params);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<double[]> dampedStep(NormalEquations equations, double damping) {
    double[][] damped = new double[equations.matrix().length][];
    for (int j = 0; j < damped.length; j++) {
      damped[j] = equations.matrix()[j].clone();
      damped[j][j] *= 1 + damping;
    }
    return Cholesky.of(damped).map(cholesky -> cholesky.solve(equations.rhs()));
  }

  private static double cost(CurveModel curve, double[] params, FitData data) {
    double[] fitted = new double[data.size()];
    for (int i = 0; i < fitted.length; i++) {
      fitted[i] = curve.value(data.x()[i], params);
    }
    return data.weightedSquaredError(fitted);
  }

  private static boolean isSmall(double[] step, double[] params) {
    for (int j = 0; j < step.length; j++) {
      double scale = Math.abs(params[j]) + RELATIVE_STEP_TOLERANCE;
      if (Math.abs(step[j]) > RELATIVE_STEP_TOLERANCE * scale) {
        return false;
      }
    }
    return true;
  }

  private static double[] add(double[] a, double[] b) {
    double[] sum = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      sum[j] = a[j] + b[j];
    }
    return sum;
  }
}
