package io.steerd.bench;

import io.steerd.engine.DecoderSession;
import io.steerd.engine.Device;
import io.steerd.engine.EngineOptions;
import io.steerd.engine.GenerationRequest;
import io.steerd.engine.GenerationResult;
import io.steerd.engine.SamplingParams;
import io.steerd.engine.Scheduler;
import io.steerd.engine.Scorer;
import io.steerd.engine.ShadowSpec;
import io.steerd.engine.TokenSink;
import io.steerd.model.LoadedModel;
import io.steerd.model.ModelConfig;
import io.steerd.model.ModelLoader;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Native-memory soak: rounds of 48 concurrent steered generations (a quarter shadowed, a third
 * ablating) plus a scoring task, printing resident memory after each round. A leak of tensors,
 * results or caches shows as growth from round to round.
 *
 * <p>{@code java -cp server/target/steerd-server.jar io.steerd.bench.Soak [MODEL_DIR] [ROUNDS]}
 */
public final class Soak {
  private Soak() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/models/stories260K");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    LoadedModel model = ModelLoader.load(dir, null);
    ModelConfig c = model.config();
    try (DecoderSession session = DecoderSession.open(model.weights(), Device.CPU,
            EngineOptions.defaults());
        Scheduler scheduler = new Scheduler(session, model.tokenizer(), 16, 64)) {
      for (int round = 0; round < rounds; round++) {
        List<CompletableFuture<GenerationResult>> all = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
          all.add(scheduler.generate(request(c, round * 100 + i, i), DISCARD));
        }
        for (CompletableFuture<GenerationResult> f : all) {
          f.get(5, TimeUnit.MINUTES);
        }
        scheduler.submit(s -> new Scorer(s).score(
            List.of(new Scorer.Item(new int[] {1}, new int[] {5, 6, 7, 8})),
            SteeringPlan.none(c.numLayers()))).get(5, TimeUnit.MINUTES);
        System.gc();
        System.out.printf("round %d: resident %d MiB%n", round, residentMib());
      }
    }
  }

  private static GenerationRequest request(ModelConfig c, long seed, int i) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[c.dim()];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (random.nextDouble() - 0.5);
    }
    TreeMap<Integer, float[]> layers = new TreeMap<>();
    layers.put(i % c.numLayers(), v);
    EditOp op = i % 3 == 0 ? EditOp.ABLATE_THEN_ADD : EditOp.ADD;
    SteeringPlan plan = EditCompiler.compile(List.of(new ResolvedEdit(null, op, layers, 2f, true)),
        c.numLayers(), c.dim());
    return new GenerationRequest(new int[] {1, 5 + i}, 60, SamplingParams.greedy(), List.of(),
        true, plan, i % 4 == 0 ? ShadowSpec.WITHOUT_PROBES : null);
  }

  private static final TokenSink DISCARD = new TokenSink() {
    @Override
    public void token(int id, String text, float logprob) {}

    @Override
    public boolean cancelled() {
      return false;
    }
  };

  private static long residentMib() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
      }
    }
    return -1;
  }
}
