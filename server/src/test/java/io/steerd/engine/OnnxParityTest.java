package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.graph.DecoderGraph;
import io.steerd.model.LoadedModel;
import io.steerd.reference.ReferenceLlama;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ONNX graph against the plain-Java reference forward pass, step by step. */
class OnnxParityTest {
  private static final float TOLERANCE = 1e-4f;
  private static LoadedModel model;
  private static DecoderSession session;
  private static DecoderSession portable;

  @BeforeAll
  static void open() throws Exception {
    model = ModelFixture.stories260K();
    // The default on the CPU: GroupQueryAttention, with stories260K's 8-wide heads padded to 16.
    session = DecoderSession.open(model.weights(), Device.CPU, EngineOptions.threads(1));
    portable = DecoderSession.open(model.weights(), Device.CPU, EngineOptions.threads(1),
        DecoderGraph.Attention.PORTABLE);
  }

  @AfterAll
  static void close() throws Exception {
    session.close();
    portable.close();
  }

  @Test
  void logitsMatchReferenceAtEveryStepOf200TokenGreedyDecode() throws Exception {
    for (DecoderSession s : List.of(session, portable)) {
      float worst = decodeAndCompare(s, SteeringPlan.none(model.config().numLayers()), null, 200);
      System.out.printf("unsteered, %s attention: largest |logit difference| over 200 steps %.2e%n",
          s.attention(), worst);
      assertTrue(worst < TOLERANCE, s.attention() + ": largest logit difference " + worst);
    }
  }

  @Test
  void steeredLogitsMatchReferenceApplyingTheSameEditsInOrder() throws Exception {
    int dim = model.config().dim();
    Random random = new Random(7);
    float[] add = randomVector(random, dim);
    float[] ablate = randomVector(random, dim);
    // ADD at layers 1-3, then ABLATE a direction at layer 2 and 3: the ablation must also
    // remove the part of the added vector along its direction.
    ResolvedEdit first = new ResolvedEdit("a", EditOp.ADD, layers(add, 1, 2, 3), 0.5f, false);
    ResolvedEdit second = new ResolvedEdit("b", EditOp.ABLATE, layers(ablate, 2, 3), 0f, false);
    SteeringPlan plan = EditCompiler.compile(List.of(first, second), model.config().numLayers(), dim);
    double norm = Math.sqrt(dot(ablate, ablate));
    ReferenceLlama.BlockEdit reference = (layer, h) -> {
      if (layer >= 1 && layer <= 3) {
        for (int i = 0; i < dim; i++) {
          h[i] += 0.5f * add[i];
        }
      }
      if (layer == 2 || layer == 3) {
        double along = dot(h, ablate) / norm;
        for (int i = 0; i < dim; i++) {
          h[i] -= (float) (along * ablate[i] / norm);
        }
      }
    };
    float worst = decodeAndCompare(session, plan, reference, 100);
    System.out.printf("steered: largest |logit difference| over 100 steps %.2e%n", worst);
    assertTrue(worst < TOLERANCE, "largest logit difference " + worst);
  }

  /** Greedy-decodes with both implementations; returns the largest logit difference seen. */
  private float decodeAndCompare(DecoderSession session, SteeringPlan plan,
      ReferenceLlama.BlockEdit edit, int steps) throws Exception {
    ReferenceLlama reference = new ReferenceLlama(model.weights());
    if (edit != null) {
      reference.setEdit(edit);
    }
    List<SteeringPlan> plans = plan.isIdentity() ? List.of() : List.of(plan);
    int row = plans.isEmpty() ? 0 : 1;
    float worst = 0;
    try (KvCache cache = session.newCache(1, steps); EditTable table = session.newEditTable(plans)) {
      int token = model.tokenizer().bos();
      for (int pos = 0; pos < steps; pos++) {
        float[] expected = reference.forward(token, pos);
        float[] actual = session.step(StepInput.single(new int[] {token}, pos, row), cache, table)
            .logits(0, 0);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertEquals(Sampler.argmax(expected), Sampler.argmax(actual), "argmax at step " + pos);
        token = Sampler.argmax(actual);
      }
    }
    return worst;
  }

  @Test
  void hiddenOutputIsTheReferenceResidualStream() throws Exception {
    ReferenceLlama reference = new ReferenceLlama(model.weights());
    int[] prompt = model.tokenizer().encode("Tom and Sue", true, false);
    try (KvCache cache = session.newCache(1, prompt.length);
        EditTable none = session.newEditTable(List.of())) {
      StepOutput out = session.step(StepInput.single(prompt, 0, 0), cache, none);
      for (int pos = 0; pos < prompt.length; pos++) {
        reference.forward(prompt[pos], pos);
      }
      for (int l = 0; l < model.config().numLayers(); l++) {
        assertArrayEquals(reference.lastHidden(l), out.hidden(0, 0, l), 1e-4f, "layer " + l);
      }
    }
  }

  static TreeMap<Integer, float[]> layers(float[] v, int... layers) {
    TreeMap<Integer, float[]> map = new TreeMap<>();
    for (int l : layers) {
      map.put(l, v);
    }
    return map;
  }

  static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
