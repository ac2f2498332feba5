package io.steerd.steering;

import java.util.SortedMap;

/**
 * One validated edit: the values it uses at each layer it touches, and how to apply them.
 *
 * @param vectorId the registered vector's id, or null for inline values
 * @param unitNormalized rescale each layer's values to unit norm before the coefficient
 */
public record ResolvedEdit(
    String vectorId,
    EditOp op,
    SortedMap<Integer, float[]> layers,
    float coefficient,
    boolean unitNormalized) {
  /** The largest L2 norm this edit adds at any of its layers (0 for a pure ablation). */
  public double maxAddedNorm() {
    if (op == EditOp.ABLATE) {
      return 0;
    }
    if (unitNormalized) {
      return Math.abs(coefficient);
    }
    double max = 0;
    for (float[] v : layers.values()) {
      max = Math.max(max, Math.abs(coefficient) * EditCompiler.norm(v));
    }
    return max;
  }
}
