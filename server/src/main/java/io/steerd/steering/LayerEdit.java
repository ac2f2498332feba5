package io.steerd.steering;

import java.util.ArrayList;
import java.util.List;

/**
 * The net effect of a request's edits on one layer, in the affine form the graph's steering port
 * computes: h' = h - sum_k (h . in_k) out_k + add. Built by applying edits in order; both ADD
 * and ABLATE keep the form, so any sequence composes exactly.
 */
public final class LayerEdit {
  private final double[] add;
  private final List<double[]> in = new ArrayList<>();
  private final List<double[]> out = new ArrayList<>();

  LayerEdit(int dim) {
    add = new double[dim];
  }

  /** h' = h + v. */
  void add(float[] v, double scale) {
    for (int i = 0; i < add.length; i++) {
      add[i] += scale * v[i];
    }
  }

  /**
   * h' = h - (h . u) u for a unit u, applied after what is already here. With the current map
   * f(h) = h - sum (h . in_k) out_k + add, f(h) . u = h . (u - sum (out_k . u) in_k) + add . u,
   * which gives the new (in, out) pair below and a projected add.
   */
  void ablate(double[] unit) {
    double[] newIn = unit.clone();
    for (int k = 0; k < in.size(); k++) {
      double overlap = dot(out.get(k), unit);
      double[] inK = in.get(k);
      for (int i = 0; i < newIn.length; i++) {
        newIn[i] -= overlap * inK[i];
      }
    }
    double addAlong = dot(add, unit);
    for (int i = 0; i < add.length; i++) {
      add[i] -= addAlong * unit[i];
    }
    in.add(newIn);
    out.add(unit.clone());
  }

  /** Ablation directions this layer needs in the graph. */
  public int rank() {
    return in.size();
  }

  public float[] add() {
    return toFloat(add);
  }

  public float[][] ablateIn() {
    return in.stream().map(LayerEdit::toFloat).toArray(float[][]::new);
  }

  public float[][] ablateOut() {
    return out.stream().map(LayerEdit::toFloat).toArray(float[][]::new);
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
