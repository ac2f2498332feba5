package io.steerd.tradeoff;

import io.steerd.steering.SteeringPlan;
import io.steerd.v1.ProbeSet;
import java.util.List;

/**
 * A validated MeasureTradeoff: the vector's steering plan at each norm r of the grid, and the
 * probes to measure each one on.
 *
 * @param coefficients the grid of r, ascending
 * @param plans the steering plan for each r (ADD, UNIT normalisation, the chosen layers)
 * @param exchangeRate lambda of the break-even condition
 */
public record Sweep(String vectorId, int[] layers, double[] coefficients, List<SteeringPlan> plans,
    ProbeSet probeSet, ProbeEvaluator probes, double exchangeRate) {

  /** {@code steps} evenly spaced values from {@code from} to {@code to} inclusive. */
  public static double[] grid(double from, double to, int steps) {
    double[] r = new double[steps];
    for (int i = 0; i < steps; i++) {
      // Computed from both ends so the midpoint of a symmetric grid is exactly 0.
      r[i] = (from * (steps - 1 - i) + to * i) / (steps - 1);
    }
    return r;
  }
}
