package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.errors.SteerdException;
import io.steerd.graph.DecoderGraph;
import io.steerd.model.Llama2cCheckpoint;
import io.steerd.model.Llama2cCheckpointWriter;
import io.steerd.model.LoadedModel;
import io.steerd.model.ModelConfig;
import io.steerd.model.Tokenizer;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests joining and leaving a running batch, each with its own edits. */
class ContinuousBatchingTest {
  @TempDir Path dir;

  @Test
  void greedyTokensAreTheSameAloneAndInABatchOfDifferentlySteeredRequestsPortable()
      throws Exception {
    LoadedModel model = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU,
        EngineOptions.threads(1), DecoderGraph.Attention.PORTABLE)) {
      checkBatchInvariance(session, model.tokenizer());
    }
  }

  @Test
  void greedyTokensAreTheSameAloneAndInABatchOfDifferentlySteeredRequestsFusedPadded()
      throws Exception {
    LoadedModel model = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU,
        EngineOptions.threads(1))) {
      assertEquals(DecoderGraph.Attention.FUSED, session.attention());
      checkBatchInvariance(session, model.tokenizer());
    }
  }

  @Test
  void greedyTokensAreTheSameAloneAndInABatchOfDifferentlySteeredRequestsFused()
      throws Exception {
    ModelConfig shape = new ModelConfig(64, 172, 3, 4, 2, 512, 128, 1e-5f, 10000f, true);
    Path file = dir.resolve("random.bin");
    Llama2cCheckpointWriter.writeRandom(file, shape, 7);
    LoadedModel stories = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(Llama2cCheckpoint.load(file), Device.CPU, EngineOptions.threads(1))) {
      assertEquals(DecoderGraph.Attention.FUSED, session.attention());
      checkBatchInvariance(session, stories.tokenizer());
    }
  }

  /** A request's greedy tokens and the logprob of each, as its sink received them. */
  private record Run(List<Integer> tokens, List<Float> logprobs) {}

  private static final float LOGPROB_TOLERANCE = 1e-4f;

  private void checkBatchInvariance(DecoderSession session, Tokenizer tokenizer) throws Exception {
    ModelConfig c = session.config();
    int[] prompt = tokenizer.encode("Once upon a time", true, false);
    // Index 0 is the probe; others of different lengths and edits run before (1..3), alongside
    // and after (4..6) the probe joins.
    List<GenerationRequest> requests = new ArrayList<>();
    requests.add(request(prompt, 48, plan(c, 1, 2f)));
    for (int i = 0; i < 3; i++) {
      requests.add(request(tokenizer.encode("Tom had a dog " + i, true, false), 10 + 15 * i,
          plan(c, 10 + i, 1f + i)));
    }
    for (int i = 0; i < 3; i++) {
      requests.add(request(tokenizer.encode("The sun", true, false), 30,
          i == 0 ? SteeringPlan.none(c.numLayers()) : plan(c, 20 + i, 3f)));
    }
    List<Run> alone = new ArrayList<>();
    for (GenerationRequest r : requests) {
      try (Scheduler scheduler = new Scheduler(session, tokenizer, 8, 16)) {
        alone.add(collectRun(scheduler, r, -1, null).get(60, TimeUnit.SECONDS));
      }
    }
    // Which request each token went to, in the order the model thread handed them out.
    List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Run>> batched = new ArrayList<>(java.util.Collections.nCopies(
        requests.size(), null));
    try (Scheduler scheduler = new Scheduler(session, tokenizer, 8, 16)) {
      for (int i : new int[] {1, 2, 3, 0, 4, 5, 6}) {
        batched.set(i, collectRun(scheduler, requests.get(i), i, order));
      }
      for (int i = 0; i < requests.size(); i++) {
        Run together = batched.get(i).get(60, TimeUnit.SECONDS);
        String who = i == 0 ? "probe" : "request " + i;
        assertEquals(alone.get(i).tokens(), together.tokens(), who + ": tokens alone vs batched");
        for (int t = 0; t < together.logprobs().size(); t++) {
          assertEquals(alone.get(i).logprobs().get(t), together.logprobs().get(t),
              LOGPROB_TOLERANCE, who + ": logprob of token " + t + " alone vs batched");
        }
      }
    }
    // The probe really shared decode steps: other requests' tokens came out between its first
    // and last, so a scheduler that ran one sequence at a time would fail here.
    List<Integer> events = List.copyOf(order);
    int first = events.indexOf(0);
    int last = events.lastIndexOf(0);
    java.util.Set<Integer> interleaved = new java.util.TreeSet<>(events.subList(first, last));
    interleaved.remove(0);
    assertTrue(interleaved.size() >= 3,
        "requests decoded while the probe was running: " + interleaved);
  }

  private static CompletableFuture<Run> collectRun(Scheduler scheduler, GenerationRequest request,
      int index, List<Integer> order) {
    List<Integer> tokens = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Float> logprobs = java.util.Collections.synchronizedList(new ArrayList<>());
    return scheduler.generate(request, new TokenSink() {
      @Override
      public void token(int id, String text, float logprob) {
        tokens.add(id);
        logprobs.add(logprob);
        if (order != null) {
          order.add(index);
        }
      }

      @Override
      public boolean cancelled() {
        return false;
      }
    }).thenApply(result -> new Run(List.copyOf(tokens), List.copyOf(logprobs)));
  }

  @Test
  void cancellationStopsWithinAStepAndFreesTheSlot() throws Exception {
    LoadedModel model = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU, EngineOptions.threads(1));
        Scheduler scheduler = new Scheduler(session, model.tokenizer(), 1, 4)) {
      AtomicBoolean cancel = new AtomicBoolean();
      AtomicInteger streamed = new AtomicInteger();
      CountDownLatch started = new CountDownLatch(3);
      CompletableFuture<GenerationResult> long_ = scheduler.generate(
          request(new int[] {1}, 500, SteeringPlan.none(5)), new TokenSink() {
            @Override
            public void token(int id, String text, float logprob) {
              streamed.incrementAndGet();
              started.countDown();
            }

            @Override
            public boolean cancelled() {
              return cancel.get();
            }
          });
      assertTrue(started.await(30, TimeUnit.SECONDS));
      cancel.set(true);
      int atCancel = streamed.get();
      GenerationResult result = long_.get(30, TimeUnit.SECONDS);
      assertEquals(FinishReason.CANCELLED, result.reason());
      // The flag is read before every step: at most the step already running completes.
      assertTrue(result.generatedTokens() <= atCancel + 1,
          result.generatedTokens() + " generated after cancelling at " + atCancel);
      // The only slot is free again: a new request runs to completion.
      List<Integer> next = collect(scheduler, request(new int[] {1}, 5, SteeringPlan.none(5)))
          .get(30, TimeUnit.SECONDS);
      assertEquals(5, next.size());
    }
  }

  @Test
  void aSinkThatThrowsAnErrorFailsItsOwnRequestAndTheModelThreadLivesOn() throws Exception {
    LoadedModel model = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU,
            EngineOptions.threads(1));
        Scheduler scheduler = new Scheduler(session, model.tokenizer(), 2, 4)) {
      CompletableFuture<GenerationResult> broken = scheduler.generate(
          request(new int[] {1}, 20, SteeringPlan.none(5)), new TokenSink() {
            @Override
            public void token(int id, String text, float logprob) {
              throw new OutOfMemoryError("stand-in for a failed allocation");
            }

            @Override
            public boolean cancelled() {
              return false;
            }
          });
      java.util.concurrent.ExecutionException failure = assertThrows(
          java.util.concurrent.ExecutionException.class, () -> broken.get(30, TimeUnit.SECONDS));
      assertTrue(failure.getCause() instanceof OutOfMemoryError);
      assertEquals(7, collect(scheduler, request(new int[] {1}, 7, SteeringPlan.none(5)))
          .get(30, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void aFullQueueRefusesWithResourceExhausted() throws Exception {
    LoadedModel model = ModelFixture.stories260K();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU, EngineOptions.threads(1));
        Scheduler scheduler = new Scheduler(session, model.tokenizer(), 1, 2)) {
      AtomicBoolean stop = new AtomicBoolean();
      TokenSink blocking = new TokenSink() {
        @Override
        public void token(int id, String text, float logprob) {}

        @Override
        public boolean cancelled() {
          return stop.get();
        }
      };
      List<CompletableFuture<GenerationResult>> accepted = new ArrayList<>();
      SteerdException refused = null;
      for (int i = 0; i < 10 && refused == null; i++) {
        try {
          accepted.add(scheduler.generate(request(new int[] {1}, 500, SteeringPlan.none(5)),
              blocking));
        } catch (SteerdException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "10 requests into 1 slot and a queue of 2 must overflow");
      assertEquals(SteerdException.Kind.RESOURCE_EXHAUSTED, refused.kind());
      stop.set(true);
      for (CompletableFuture<GenerationResult> f : accepted) {
        assertEquals(FinishReason.CANCELLED, f.get(30, TimeUnit.SECONDS).reason());
      }
    }
  }

  private static GenerationRequest request(int[] prompt, int tokens, SteeringPlan plan) {
    return new GenerationRequest(prompt, tokens, SamplingParams.greedy(), List.of(), true, plan,
        null);
  }

  private static SteeringPlan plan(ModelConfig c, long seed, float coefficient) {
    float[] v = OnnxParityTest.randomVector(new Random(seed), c.dim());
    return EditCompiler.compile(List.of(new ResolvedEdit(null, EditOp.ADD,
        OnnxParityTest.layers(v, 0, c.numLayers() - 1), coefficient, true)), c.numLayers(), c.dim());
  }

  private static CompletableFuture<List<Integer>> collect(Scheduler scheduler,
      GenerationRequest request) {
    List<Integer> tokens = java.util.Collections.synchronizedList(new ArrayList<>());
    return scheduler.generate(request, new TokenSink() {
      @Override
      public void token(int id, String text, float logprob) {
        tokens.add(id);
      }

      @Override
      public boolean cancelled() {
        return false;
      }
    }).thenApply(result -> List.copyOf(tokens));
  }
}
