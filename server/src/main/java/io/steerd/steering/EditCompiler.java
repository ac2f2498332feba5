package io.steerd.steering;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns an ordered list of edits into one affine map per layer (a {@link SteeringPlan}). */
public final class EditCompiler {
  private EditCompiler() {}

  public static SteeringPlan compile(List<ResolvedEdit> edits, int numLayers, int dim) {
    LayerEdit[] layers = new LayerEdit[numLayers];
    List<Double> norms = new ArrayList<>();
    for (ResolvedEdit edit : edits) {
      for (Map.Entry<Integer, float[]> entry : edit.layers().entrySet()) {
        int l = entry.getKey();
        float[] v = entry.getValue();
        if (layers[l] == null) {
          layers[l] = new LayerEdit(dim);
        }
        double norm = norm(v);
        if (edit.op() != EditOp.ADD && norm > 0) {
          double[] unit = new double[dim];
          for (int i = 0; i < dim; i++) {
            unit[i] = v[i] / norm;
          }
          layers[l].ablate(unit);
        }
        if (edit.op() != EditOp.ABLATE) {
          double scale = edit.coefficient();
          if (edit.unitNormalized()) {
            scale = norm > 0 ? scale / norm : 0;
          }
          layers[l].add(v, scale);
          norms.add(Math.abs(scale) * norm);
        }
      }
    }
    return new SteeringPlan(layers, List.copyOf(edits),
        norms.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
