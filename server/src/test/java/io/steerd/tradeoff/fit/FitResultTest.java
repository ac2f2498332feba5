package io.steerd.tradeoff.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FitResultTest {
  @Test
  void confidenceIntervalUsesTheTQuantileForTheResidualDegreesOfFreedom() {
    FitResult fit =
        FitResult.ok("line", List.of(new FitResult.Parameter("c1", 2.0, 0.1)), 0.9, 0.3, 6);

    assertEquals(5, fit.degreesOfFreedom());
    FitResult.Interval interval = fit.confidenceInterval("c1", 0.95);
    assertEquals(2.0 - 0.2570581836, interval.low(), 1e-9);
    assertEquals(2.0 + 0.2570581836, interval.high(), 1e-9);
  }

  @Test
  void refusesNonFiniteParametersAndFitsWithoutSpareDegreesOfFreedom() {
    assertThrows(IllegalArgumentException.class, () -> new FitResult.Parameter("a", Double.NaN, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new FitResult.Parameter("a", 1, Double.NaN));
    assertThrows(
        IllegalArgumentException.class,
        () -> FitResult.ok("line", List.of(new FitResult.Parameter("c0", 1, 0.1)), 1, 0, 1));
  }

  @Test
  void unknownParameterNameIsACallerBug() {
    FitResult fit =
        FitResult.ok("line", List.of(new FitResult.Parameter("c0", 1, 0.1)), 0.9, 0.3, 4);

    assertThrows(IllegalArgumentException.class, () -> fit.value("b"));
  }
}
