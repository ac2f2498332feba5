package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.model.LoadedModel;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation and steering on the real model through the ONNX session. */
class SteeredGenerationTest {
  private static final String PUBLISHED = "Once upon a time, there was a little girl named Lily. "
      + "She loved to play outside in the park. One day, she saw a big, red ball. She wanted to "
      + "play with it, but it was too high.";

  private static LoadedModel model;
  private static DecoderSession session;
  private static Scheduler scheduler;
  private static float[] direction;

  @BeforeAll
  static void open() throws Exception {
    model = ModelFixture.stories260K();
    session = DecoderSession.open(model.weights(), Device.CPU, EngineOptions.threads(1));
    scheduler = new Scheduler(session, model.tokenizer(), 4, 8);
    direction = OnnxParityTest.randomVector(new Random(11), model.config().dim());
  }

  @AfterAll
  static void close() throws Exception {
    scheduler.close();
    session.close();
  }

  @Test
  void greedyFromBosTellsThePublishedStory() throws Exception {
    Recorded out = generate(SteeringPlan.none(layers()), 100);
    assertTrue(out.result.text().startsWith(PUBLISHED), out.result.text());
    assertEquals(String.join("", out.texts), out.result.text());
  }

  @Test
  void coefficientZeroIsIdenticalToNoEditAndNonZeroAddChangesTheStory() throws Exception {
    Recorded plain = generate(SteeringPlan.none(layers()), 80);
    Recorded zero = generate(plan(EditOp.ADD, 0f, 1, 2, 3), 80);
    Recorded steered = generate(plan(EditOp.ADD, 3f, 1, 2, 3), 80);
    assertEquals(plain.tokens, zero.tokens);
    assertEquals(plain.logprobs, zero.logprobs, "coefficient 0 must not move a single logit");
    assertNotEquals(plain.tokens, steered.tokens);
  }

  @Test
  void steeringWithTheCacheEqualsFullRecomputationOver64Tokens() throws Exception {
    SteeringPlan plan = plan(EditOp.ABLATE_THEN_ADD, 2f, 0, 2, 4);
    int[] prompt = model.tokenizer().encode("Lily and Ben", true, false);
    int steps = 64;
    try (EditTable table = session.newEditTable(List.of(plan));
        KvCache cache = session.newCache(1, prompt.length + steps)) {
      List<Integer> sequence = new ArrayList<>();
      for (int t : prompt) {
        sequence.add(t);
      }
      StepOutput cached = session.step(StepInput.single(prompt, 0, 1), cache, table);
      for (int step = 0; step < steps; step++) {
        float[] incremental = cached.logits(0, 0);
        float[] full = recompute(sequence, table);
        assertArrayEquals(full, incremental, 1e-4f, "step " + step);
        int next = Sampler.argmax(incremental);
        assertEquals(Sampler.argmax(full), next, "step " + step);
        sequence.add(next);
        cached = session.step(StepInput.single(new int[] {next}, sequence.size() - 1, 1), cache,
            table);
      }
    }
  }

  /** Runs the whole sequence from an empty cache: what the cached step must reproduce. */
  private float[] recompute(List<Integer> sequence, EditTable table) throws Exception {
    int[] tokens = sequence.stream().mapToInt(Integer::intValue).toArray();
    try (KvCache fresh = session.newCache(1, tokens.length)) {
      return session.step(StepInput.single(tokens, 0, 1), fresh, table).logits(0, 0);
    }
  }

  @Test
  void ablatedLayersHaveNoComponentAlongTheDirectionAtAnyPosition() throws Exception {
    SteeringPlan plan = plan(EditOp.ABLATE, 0f, 1, 3);
    int[] prompt = model.tokenizer().encode("Once upon a time, a cat sat in the sun.", true,
        false);
    int[] everyPosition = IntStream.range(0, prompt.length).toArray();
    double norm = Math.sqrt(OnnxParityTest.dot(direction, direction));
    try (EditTable table = session.newEditTable(List.of(plan));
        KvCache cache = session.newCache(1, prompt.length)) {
      StepOutput out = session.step(new StepInput(new int[][] {prompt}, new int[] {0},
          new int[][] {everyPosition}, new int[] {1}), cache, table);
      for (int r = 0; r < prompt.length; r++) {
        for (int layer = 0; layer < layers(); layer++) {
          float[] h = out.hidden(0, r, layer);
          double along = OnnxParityTest.dot(h, direction) / norm;
          double size = Math.sqrt(OnnxParityTest.dot(h, h));
          if (layer == 1 || layer == 3) {
            assertTrue(Math.abs(along) < 1e-5 * Math.max(1, size),
                "layer " + layer + " position " + r + ": component " + along);
          } else {
            assertTrue(Math.abs(along) > 1e-3, "layer " + layer + " is not ablated, yet its "
                + "component is " + along);
          }
        }
      }
    }
  }

  private static SteeringPlan plan(EditOp op, float coefficient, int... layers) {
    ResolvedEdit edit = new ResolvedEdit("test", op, OnnxParityTest.layers(direction, layers),
        coefficient, true);
    return EditCompiler.compile(List.of(edit), layers(), model.config().dim());
  }

  private static int layers() {
    return model.config().numLayers();
  }

  private record Recorded(List<Integer> tokens, List<Float> logprobs, List<String> texts,
      GenerationResult result) {}

  private static Recorded generate(SteeringPlan plan, int maxTokens) throws Exception {
    List<Integer> tokens = new ArrayList<>();
    List<Float> logprobs = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    GenerationRequest request = new GenerationRequest(new int[] {model.tokenizer().bos()},
        maxTokens, SamplingParams.greedy(), List.of(), false, plan, null);
    GenerationResult result = scheduler.generate(request, new TokenSink() {
      @Override
      public void token(int id, String text, float logprob) {
        tokens.add(id);
        logprobs.add(logprob);
        texts.add(text);
      }

      @Override
      public boolean cancelled() {
        return false;
      }
    }).get(30, java.util.concurrent.TimeUnit.SECONDS);
    return new Recorded(tokens, logprobs, texts, result);
  }
}
