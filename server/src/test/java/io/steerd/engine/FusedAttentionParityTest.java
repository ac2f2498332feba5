package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.graph.DecoderGraph;
import io.steerd.model.Llama2cCheckpoint;
import io.steerd.model.Llama2cCheckpointWriter;
import io.steerd.model.LlamaWeights;
import io.steerd.model.ModelConfig;
import io.steerd.reference.ReferenceLlama;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused GroupQueryAttention graph against the plain-Java reference and the portable graph, on
 * a seeded random checkpoint with grouped-query attention and a head size (16) the kernel takes
 * unpadded.
 */
class FusedAttentionParityTest {
  private static final ModelConfig SHAPE =
      new ModelConfig(64, 172, 3, 4, 2, 300, 96, 1e-5f, 10000f, true);
  @TempDir static Path dir;
  private static LlamaWeights weights;
  private static DecoderSession fused;
  private static DecoderSession portable;

  @BeforeAll
  static void open() throws Exception {
    Path file = dir.resolve("random.bin");
    Llama2cCheckpointWriter.writeRandom(file, SHAPE, 42);
    weights = Llama2cCheckpoint.load(file);
    fused = DecoderSession.open(weights, Device.CPU, EngineOptions.threads(1), DecoderGraph.Attention.FUSED);
    portable = DecoderSession.open(weights, Device.CPU, EngineOptions.threads(1), DecoderGraph.Attention.PORTABLE);
  }

  @AfterAll
  static void close() throws Exception {
    fused.close();
    portable.close();
  }

  @Test
  void cpuPicksFusedAttentionAndCudaThePortableGraph() {
    assertEquals(DecoderGraph.Attention.FUSED, DecoderSession.attentionFor(SHAPE, Device.CPU));
    assertEquals(DecoderGraph.Attention.FUSED,
        DecoderSession.attentionFor(ModelFixture.stories260K().config(), Device.CPU));
    assertEquals(DecoderGraph.Attention.PORTABLE,
        DecoderSession.attentionFor(SHAPE, Device.parse("cuda")));
  }

  @Test
  void steeredDecodeMatchesTheReferenceAtEveryStep() throws Exception {
    float[] v = OnnxParityTest.randomVector(new Random(5), SHAPE.dim());
    // Random weights give small activations; scale the edit to matter.
    SteeringPlan plan = EditCompiler.compile(List.of(
        new ResolvedEdit("v", EditOp.ABLATE_THEN_ADD, OnnxParityTest.layers(v, 0, 2), 0.5f, true)),
        SHAPE.numLayers(), SHAPE.dim());
    ReferenceLlama reference = new ReferenceLlama(weights);
    double norm = Math.sqrt(OnnxParityTest.dot(v, v));
    reference.setEdit((layer, h) -> {
      if (layer == 0 || layer == 2) {
        double along = OnnxParityTest.dot(h, v) / norm;
        for (int i = 0; i < h.length; i++) {
          h[i] += (float) ((0.5 - along) * v[i] / norm);
        }
      }
    });
    float worst = 0;
    try (KvCache cache = fused.newCache(1, 80); EditTable table = fused.newEditTable(List.of(plan))) {
      int token = 1;
      for (int pos = 0; pos < 80; pos++) {
        float[] expected = reference.forward(token, pos);
        float[] actual = fused.step(StepInput.single(new int[] {token}, pos, 1), cache, table)
            .logits(0, 0);
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        token = Sampler.argmax(expected);
      }
    }
    assertTrue(worst < 1e-4, "largest logit difference " + worst);
  }

  @Test
  void batchedPrefillOfDifferentLengthsThenDecodeMatchesThePortableGraph() throws Exception {
    int[][] prompts = {{1, 20, 30, 40, 50, 60}, {1, 7}, {1, 99, 98, 97}};
    int[] lengths = {6, 2, 4};
    int[][] last = {{5}, {1}, {3}};
    int[] rows = {0, 0, 0};
    try (KvCache a = fused.newCache(3, 40); KvCache b = portable.newCache(3, 40);
        EditTable ta = fused.newEditTable(List.of()); EditTable tb = portable.newEditTable(List.of())) {
      StepInput prefill = new StepInput(prompts, new int[3], last, rows);
      StepOutput fa = fused.step(prefill, a, ta);
      StepOutput pa = portable.step(prefill, b, tb);
      int[] past = lengths.clone();
      int[][] next = new int[3][1];
      for (int r = 0; r < 3; r++) {
        assertArrayEquals(pa.logits(r, 0), fa.logits(r, 0), 1e-4f, "prefill row " + r);
        next[r][0] = Sampler.argmax(fa.logits(r, 0));
      }
      for (int step = 0; step < 10; step++) {
        // Rows at different positions decode together.
        StepInput decode = new StepInput(next, past.clone(), new int[][] {{0}, {0}, {0}}, rows);
        StepOutput fd = fused.step(decode, a, ta);
        StepOutput pd = portable.step(decode, b, tb);
        for (int r = 0; r < 3; r++) {
          assertArrayEquals(pd.logits(r, 0), fd.logits(r, 0), 1e-4f, "step " + step + " row " + r);
          next[r] = new int[] {Sampler.argmax(fd.logits(r, 0))};
          past[r]++;
        }
      }
    }
  }
}
