package io.steerd.steering;

import java.util.List;

/**
 * A request's edits compiled per layer, ready for the graph's steering ports. A null layer is
 * untouched. {@link #appliedNorms()} lists the L2 norm each edit added at each layer, for metrics.
 */
public record SteeringPlan(LayerEdit[] layers, List<ResolvedEdit> edits, double[] appliedNorms) {
  public LayerEdit layer(int l) {
    return layers[l];
  }

  /** No edits at all. */
  public static SteeringPlan none(int numLayers) {
    return new SteeringPlan(new LayerEdit[numLayers], List.of(), new double[0]);
  }

  public boolean isIdentity() {
    return edits.isEmpty();
  }
}
