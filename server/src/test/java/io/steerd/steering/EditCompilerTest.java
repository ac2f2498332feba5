package io.steerd.steering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The compiled affine map must equal applying the edits one after another. */
class EditCompilerTest {
  private static final int DIM = 16;

  @RepeatedTest(20)
  void compiledPlanEqualsSequentialApplication(org.junit.jupiter.api.RepetitionInfo info) {
    Random random = new Random(info.getCurrentRepetition());
    List<ResolvedEdit> edits = new ArrayList<>();
    int count = 1 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      EditOp op = EditOp.values()[random.nextInt(EditOp.values().length)];
      edits.add(new ResolvedEdit("e" + i, op, layer0(gaussian(random)),
          (float) random.nextGaussian() * 3, random.nextBoolean()));
    }
    SteeringPlan plan = EditCompiler.compile(edits, 2, DIM);
    float[] h = gaussian(random);
    assertArrayEquals(sequential(edits, h), applyPlan(plan.layer(0), h), 1e-4f);
    assertNull(plan.layer(1), "an untouched layer has no edit");
  }

  @Test
  void unitNormalisationAddsExactlyTheCoefficientAsNorm() {
    float[] v = gaussian(new Random(3));
    SteeringPlan plan = EditCompiler.compile(
        List.of(new ResolvedEdit("v", EditOp.ADD, layer0(v), 2.5f, true)), 1, DIM);
    assertEquals(2.5, norm(plan.layer(0).add()), 1e-5);
    assertArrayEquals(new double[] {2.5}, plan.appliedNorms(), 1e-5);
  }

  @Test
  void ablateRecordsNoAppliedNormAndNeedsOneDirection() {
    SteeringPlan plan = EditCompiler.compile(
        List.of(new ResolvedEdit("v", EditOp.ABLATE, layer0(gaussian(new Random(4))), 9f, false)),
        1, DIM);
    assertEquals(1, plan.layer(0).rank());
    assertEquals(0, plan.appliedNorms().length);
    assertEquals(0, norm(plan.layer(0).add()), 0);
  }

  /** The obvious implementation: each edit transforms h in turn. */
  private static float[] sequential(List<ResolvedEdit> edits, float[] input) {
    double[] h = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      h[i] = input[i];
    }
    for (ResolvedEdit e : edits) {
      float[] v = e.layers().get(0);
      double n = norm(v);
      if (e.op() != EditOp.ADD) {
        double along = 0;
        for (int i = 0; i < DIM; i++) {
          along += h[i] * v[i] / n;
        }
        for (int i = 0; i < DIM; i++) {
          h[i] -= along * v[i] / n;
        }
      }
      if (e.op() != EditOp.ABLATE) {
        double scale = e.unitNormalized() ? e.coefficient() / n : e.coefficient();
        for (int i = 0; i < DIM; i++) {
          h[i] += scale * v[i];
        }
      }
    }
    float[] out = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      out[i] = (float) h[i];
    }
    return out;
  }

  /** What the graph's steering port computes: h - sum_k (h . in_k) out_k + add. */
  private static float[] applyPlan(LayerEdit edit, float[] h) {
    float[] out = h.clone();
    float[][] in = edit.ablateIn();
    float[][] outDirs = edit.ablateOut();
    for (int k = 0; k < edit.rank(); k++) {
      double along = 0;
      for (int i = 0; i < DIM; i++) {
        along += h[i] * in[k][i];
      }
      for (int i = 0; i < DIM; i++) {
        out[i] -= (float) (along * outDirs[k][i]);
      }
    }
    float[] add = edit.add();
    for (int i = 0; i < DIM; i++) {
      out[i] += add[i];
    }
    return out;
  }

  private static TreeMap<Integer, float[]> layer0(float[] v) {
    TreeMap<Integer, float[]> m = new TreeMap<>();
    m.put(0, v);
    return m;
  }

  private static float[] gaussian(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
