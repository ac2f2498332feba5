package io.steerd.bench;

import com.google.gson.GsonBuilder;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.steerd.SteerdServer;
import io.steerd.engine.DecoderSession;
import io.steerd.engine.Device;
import io.steerd.engine.EngineOptions;
import io.steerd.engine.GenerationRequest;
import io.steerd.engine.GenerationResult;
import io.steerd.engine.SamplingParams;
import io.steerd.engine.Scheduler;
import io.steerd.engine.TokenSink;
import io.steerd.model.Llama2cCheckpointWriter;
import io.steerd.model.LoadedModel;
import io.steerd.model.ModelConfig;
import io.steerd.model.ModelLoader;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.TokenIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * steerd's serving benchmark: greedy decoding of a real or synthetic model, single stream
 * in-process and over gRPC, steered and unsteered, many concurrent differently-steered streams,
 * time to first token for 128-token prompts, and peak resident memory. Ratios are measured
 * within one run, interleaving the variants they compare.
 */
@Command(name = "steerd-bench", mixinStandardHelpOptions = true,
    description = "Measures steerd's decode throughput and latency; prints a table and writes JSON.")
public final class Benchmark implements Callable<Integer> {
  /** Shapes of the reference checkpoints (llama2.c's stories15M and stories110M). */
  enum Shape {
    S15M(new ModelConfig(288, 768, 6, 6, 6, 32000, 256, 1e-5f, 10000f, true)),
    S110M(new ModelConfig(768, 2048, 12, 12, 12, 32000, 1024, 1e-5f, 10000f, true));

    final ModelConfig config;

    Shape(ModelConfig config) {
      this.config = config;
    }

    static Shape parse(String name) {
      return switch (name.toUpperCase(java.util.Locale.ROOT)) {
        case "15M" -> S15M;
        case "110M" -> S110M;
        default -> throw new IllegalArgumentException("--shape must be 15M or 110M, not " + name);
      };
    }
  }

  @Option(names = "--shape", description = "Synthetic checkpoint shape: 15M or 110M.")
  String shape;

  @Option(names = "--model", description = "A real model (checkpoint or directory) instead of --shape.")
  Path model;

  @Option(names = "--tokenizer", defaultValue = "../shared/models/llama2-tokenizer/tokenizer.bin",
      description = "Tokenizer for --shape, or to override --model's (default: ${DEFAULT-VALUE}).")
  Path tokenizer;

  @Option(names = "--work-dir", defaultValue = "target/bench",
      description = "Where synthetic checkpoints are written (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime threads; 0 = automatic, as the server (1 under 4M parameters).")
  int threads;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N.")
  String device;

  @Option(names = "--spin-wait", description = "Let ONNX Runtime threads spin (see the server's flag).")
  boolean spinWait;

  @Option(names = "--quantize", defaultValue = "none", description = "none or int4 weights.")
  String quantize;

  @Option(names = "--tokens", defaultValue = "200", description = "Tokens per stream.")
  int tokens;

  @Option(names = "--repeats", defaultValue = "7", description = "Runs per single-stream variant.")
  int repeats;

  @Option(names = "--streams", split = ",", defaultValue = "1,4,16,64",
      description = "Concurrent stream counts for aggregate throughput.")
  int[] streams;

  @Option(names = "--ttft-samples", defaultValue = "30", description = "Requests for TTFT.")
  int ttftSamples;

  @Option(names = "--out", defaultValue = "target/bench/results.json", description = "JSON output.")
  Path out;

  private final Map<String, Object> results = new LinkedHashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path checkpoint = checkpoint();
    LoadedModel loaded = ModelLoader.load(checkpoint, model == null || !isDefaultTokenizer()
        ? tokenizer : null);
    ModelConfig c = loaded.config();
    Device dev = Device.parse(device);
    results.put("model", Map.of("source", loaded.source(), "config", c.toString(),
        "parameters", c.parameterCount()));
    results.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
        "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        "java", System.getProperty("java.version"), "device", dev.toString()));
    results.put("spin_wait", spinWait);
    results.put("tokens_per_stream", tokens);
    int slots = Arrays.stream(streams).max().orElse(1);
    EngineOptions engine = new EngineOptions(threads, spinWait, io.steerd.graph.DecoderGraph.Weights.parse(quantize));
    results.put("weights", engine.weights().toString());
    try (DecoderSession session = DecoderSession.open(loaded.weights(), dev, engine)) {
      results.put("attention", session.attention().toString());
      results.put("threads", session.threads());
      Scheduler scheduler = new Scheduler(session, loaded.tokenizer(), slots, 4 * slots);
      try {
        singleStream(scheduler, c, checkpoint, dev, engine);
        aggregate(scheduler, c);
        timeToFirstToken(scheduler, c);
      } finally {
        scheduler.close();
      }
    }
    results.put("peak_rss_mib", peakRssMib());
    print();
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(results));
    System.out.println("wrote " + out);
    return 0;
  }

  private boolean isDefaultTokenizer() {
    return tokenizer.equals(Path.of("../shared/models/llama2-tokenizer/tokenizer.bin"));
  }

  private Path checkpoint() throws Exception {
    if (model != null) {
      return model;
    }
    if (shape == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "give --shape or --model");
    }
    Shape s = Shape.parse(shape);
    Files.createDirectories(workDir);
    Path file = workDir.resolve("synthetic-" + shape.toLowerCase(java.util.Locale.ROOT) + ".bin");
    if (!Files.exists(file)) {
      System.out.println("writing " + file + " (" + s.config + ")");
      Llama2cCheckpointWriter.writeRandom(file, s.config, 1234);
    }
    return file;
  }

  /**
   * Decode tokens/s of one stream: in-process unsteered, in-process steered with ADD on every
   * layer, and unsteered through a real gRPC server on loopback, interleaved run by run so the
   * ratios see the same machine state.
   */
  private void singleStream(Scheduler scheduler, ModelConfig c, Path checkpoint, Device dev,
      EngineOptions engine) throws Exception {
    SteeringPlan steered = addEveryLayer(c, 0);
    Path data = Files.createTempDirectory("steerd-bench");
    SteerdServer server = SteerdServer.start(new SteerdServer.Options(checkpoint,
        model == null || !isDefaultTokenizer() ? tokenizer : null, "127.0.0.1", 0, "127.0.0.1", -1,
        data, dev, engine, 1, 16, 0));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
        .usePlaintext().build();
    try {
      var stub = SteerServiceGrpc.newBlockingStub(channel);
      // One full-length warm-up of each variant, so JIT and ORT's first-shape work is done.
      run(scheduler, c, SteeringPlan.none(c.numLayers()), tokens);
      run(scheduler, c, steered, tokens);
      grpcDecodeRate(stub, c, tokens);
      List<Double> plain = new ArrayList<>();
      List<Double> withEdit = new ArrayList<>();
      List<Double> overGrpc = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        plain.add(run(scheduler, c, SteeringPlan.none(c.numLayers()), tokens).decodeRate());
        withEdit.add(run(scheduler, c, steered, tokens).decodeRate());
        overGrpc.add(grpcDecodeRate(stub, c, tokens));
      }
      // Ratios are medians of adjacent pairs, so the machine's slow drifts cancel out.
      List<Double> steeredRatios = new ArrayList<>();
      List<Double> grpcRatios = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        steeredRatios.add(withEdit.get(i) / plain.get(i));
        grpcRatios.add(overGrpc.get(i) / plain.get(i));
      }
      // Interference on a shared machine only ever slows a run down, so the best run is the
      // closest to what the code can do; the median is kept beside it.
      results.put("single_stream_tokens_per_s", max(plain));
      results.put("single_stream_median_tokens_per_s", median(plain));
      results.put("single_stream_steered_tokens_per_s", max(withEdit));
      results.put("steered_over_unsteered", median(steeredRatios));
      results.put("grpc_single_stream_tokens_per_s", max(overGrpc));
      results.put("grpc_single_stream_median_tokens_per_s", median(overGrpc));
      results.put("grpc_over_in_process", median(grpcRatios));
    } finally {
      channel.shutdownNow();
      server.close();
    }
  }

  /**
   * Total tokens/s with n concurrent streams, each steered by its own random vector: the better
   * of two runs after a warm-up.
   */
  private void aggregate(Scheduler scheduler, ModelConfig c) throws Exception {
    Map<String, Double> aggregate = new TreeMap<>();
    for (int n : streams) {
      // The first batch of a new size pays ONNX Runtime's one-off shape planning; skip it.
      concurrent(scheduler, c, n, Math.max(8, tokens / 8));
      aggregate.put(Integer.toString(n), Math.max(concurrent(scheduler, c, n, tokens),
          concurrent(scheduler, c, n, tokens)));
    }
    results.put("aggregate_tokens_per_s", aggregate);
  }

  private static double concurrent(Scheduler scheduler, ModelConfig c, int n, int length)
      throws Exception {
    List<CompletableFuture<GenerationResult>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      all.add(scheduler.generate(request(c, addEveryLayer(c, i + 1), prompt(c, 8, i), length),
          Sink.NONE));
    }
    long generated = 0;
    for (CompletableFuture<GenerationResult> f : all) {
      generated += f.get(30, TimeUnit.MINUTES).generatedTokens();
    }
    return generated / ((System.nanoTime() - start) / 1e9);
  }

  /** Time from submission to first token for 128-token prompts, one request at a time. */
  private void timeToFirstToken(Scheduler scheduler, ModelConfig c) throws Exception {
    int length = Math.min(128, c.contextLength() - 2);
    List<Double> ttft = new ArrayList<>();
    for (int i = 0; i < ttftSamples; i++) {
      Sink sink = new Sink();
      long start = System.nanoTime();
      sink.start = start;
      scheduler.generate(request(c, SteeringPlan.none(c.numLayers()), prompt(c, length, 1000 + i), 1),
          sink).get(5, TimeUnit.MINUTES);
      ttft.add((sink.first - start) / 1e9);
    }
    double[] sorted = ttft.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    results.put("ttft_prompt_tokens", length);
    results.put("ttft_p50_s", percentile(sorted, 0.50));
    results.put("ttft_p99_s", percentile(sorted, 0.99));
  }

  private static double grpcDecodeRate(SteerServiceGrpc.SteerServiceBlockingStub stub,
      ModelConfig c, int n) {
    GenerateRequest.Builder request = GenerateRequest.newBuilder()
        .setMaxTokens(Math.min(n, c.contextLength() - 8))
        .setTemperature(0).setIgnoreEos(true)
        .setPromptTokenIds(TokenIds.newBuilder().addAllIds(
            Arrays.stream(prompt(c, 8, 0)).boxed().toList()));
    Iterator<GenerateResponse> stream = stub.withDeadlineAfter(30, TimeUnit.MINUTES)
        .generate(request.build());
    long first = 0;
    long last = 0;
    int count = 0;
    while (stream.hasNext()) {
      if (stream.next().hasToken()) {
        last = System.nanoTime();
        if (count++ == 0) {
          first = last;
        }
      }
    }
    return (count - 1) / ((last - first) / 1e9);
  }

  private record Timing(int tokens, long first, long last) {
    double decodeRate() {
      return (tokens - 1) / ((last - first) / 1e9);
    }
  }

  private Timing run(Scheduler scheduler, ModelConfig c, SteeringPlan plan, int n)
      throws Exception {
    Sink sink = new Sink();
    scheduler.generate(request(c, plan, prompt(c, 8, 0), n), sink).get(30, TimeUnit.MINUTES);
    return new Timing(sink.count, sink.first, sink.last);
  }

  private static GenerationRequest request(ModelConfig c, SteeringPlan plan, int[] prompt, int n) {
    return new GenerationRequest(prompt, Math.min(n, c.contextLength() - prompt.length),
        SamplingParams.greedy(), List.of(), true, plan, null);
  }

  /** BOS then seeded random tokens. */
  private static int[] prompt(ModelConfig c, int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] p = new int[length];
    p[0] = 1;
    for (int i = 1; i < length; i++) {
      p[i] = 3 + random.nextInt(c.vocabSize() - 3);
    }
    return p;
  }

  /** ADD of a seeded random unit vector, coefficient 1, at every layer. */
  private static SteeringPlan addEveryLayer(ModelConfig c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    TreeMap<Integer, float[]> layers = new TreeMap<>();
    for (int l = 0; l < c.numLayers(); l++) {
      float[] v = new float[c.dim()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (random.nextDouble() - 0.5);
      }
      layers.put(l, v);
    }
    return EditCompiler.compile(List.of(new ResolvedEdit(null, EditOp.ADD, layers, 1f, true)),
        c.numLayers(), c.dim());
  }

  /** Records when tokens arrive. */
  private static final class Sink implements TokenSink {
    static final Sink NONE = new Sink();
    long start;
    long first;
    long last;
    int count;

    @Override
    public synchronized void token(int id, String text, float logprob) {
      last = System.nanoTime();
      if (count++ == 0) {
        first = last;
      }
    }

    @Override
    public boolean cancelled() {
      return false;
    }
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return percentile(sorted, 0.5);
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double peakRssMib() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  private void print() {
    System.out.println();
    System.out.printf("%-46s %s%n", "model", ((Map<?, ?>) results.get("model")).get("config"));
    System.out.printf("%-46s %s attention, %s weights, %s threads, spin-wait %s, %s tokens per "
        + "stream%n", "engine", results.get("attention"), results.get("weights"),
        results.get("threads"), results.get("spin_wait"), results.get("tokens_per_stream"));
    row("single stream decode, in-process, best (tok/s)", results.get("single_stream_tokens_per_s"));
    row("single stream decode, in-process, median (tok/s)",
        results.get("single_stream_median_tokens_per_s"));
    row("single stream decode, steered every layer, best (tok/s)",
        results.get("single_stream_steered_tokens_per_s"));
    row("steered / unsteered", results.get("steered_over_unsteered"));
    row("single stream decode, over gRPC, best (tok/s)",
        results.get("grpc_single_stream_tokens_per_s"));
    row("gRPC / in-process", results.get("grpc_over_in_process"));
    ((Map<?, ?>) results.get("aggregate_tokens_per_s")).entrySet().stream()
        .sorted((a, b) -> Integer.compare(Integer.parseInt((String) a.getKey()),
            Integer.parseInt((String) b.getKey())))
        .forEach(e -> row("aggregate, " + e.getKey() + " distinct configs (tok/s)", e.getValue()));
    row("TTFT p50, " + results.get("ttft_prompt_tokens") + "-token prompt (ms)",
        1000 * (double) results.get("ttft_p50_s"));
    row("TTFT p99, " + results.get("ttft_prompt_tokens") + "-token prompt (ms)",
        1000 * (double) results.get("ttft_p99_s"));
    row("peak resident memory (MiB)", results.get("peak_rss_mib"));
  }

  private static void row(String name, Object value) {
    System.out.printf("%-46s %.2f%n", name, ((Number) value).doubleValue());
  }
}
