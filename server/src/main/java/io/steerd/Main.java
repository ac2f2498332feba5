package io.steerd;

import io.steerd.engine.Device;
import io.steerd.engine.EngineOptions;
import io.steerd.graph.DecoderGraph;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar steerd-server.jar --model PATH}: serve a model until SIGTERM. */
@Command(name = "steerd-server", mixinStandardHelpOptions = true, version = "steerd 0.1.0",
    description = "Serves a language model over gRPC with per-request steering of its hidden "
        + "states.")
public final class Main implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "A llama2.c checkpoint, or a directory holding one and its tokenizer "
          + "(tok*.bin).")
  Path model;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "The llama2.c tokenizer file, when --model is a file or to override the "
          + "directory's.")
  Path tokenizer;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address for gRPC (default: ${DEFAULT-VALUE}; a sidecar listens on loopback).")
  String host;

  @Option(names = "--port", defaultValue = "50051", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--metrics-host", defaultValue = "0.0.0.0",
      description = "Address for the Prometheus endpoint (default: ${DEFAULT-VALUE}, so the "
          + "pod's scraper reaches it).")
  String metricsHost;

  @Option(names = "--metrics-port", defaultValue = "9464",
      description = "Prometheus /metrics port; -1 turns it off (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--data-dir", defaultValue = "steerd-data",
      description = "Where registered vectors persist (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, cuda or cuda:N; CUDA needs the -Pcuda build (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 chooses: 1 for models under 4M parameters, "
          + "else every core (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--spin-wait",
      description = "Let ONNX Runtime's threads spin between operators: a little lower latency on "
          + "a machine steerd has to itself, at the cost of cores the rest of the pod needs.")
  boolean spinWait;

  @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|int4",
      description = "Weight precision of the projections and classifier: none (float32) or int4 "
          + "(4-bit blocks of 32, ONNX Runtime's MatMulNBits) (default: ${DEFAULT-VALUE}).")
  String quantize;

  @Option(names = "--max-batch", defaultValue = "16",
      description = "Sequences decoded together (KV cache slots of a full context each; a "
          + "shadowed request takes two) (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--queue-size", defaultValue = "256",
      description = "Requests that may wait for the model before new ones get "
          + "RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int queueSize;

  @Option(names = "--shadow-rate", defaultValue = "0.05",
      description = "Share of steered Generate requests that also run unsteered, to export "
          + "online KL, top-1 agreement and logit-gap estimates (default: ${DEFAULT-VALUE}).")
  double shadowRate;

  @Override
  public Integer call() throws Exception {
    if (threads < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--threads must be 0 (automatic) or more, got " + threads);
    }
    if (queueSize < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--queue-size must be at least 1, got " + queueSize);
    }
    if (maxBatch < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--max-batch must be at least 1, got " + maxBatch);
    }
    if (!(shadowRate >= 0 && shadowRate <= 1)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--shadow-rate must be in [0, 1], got " + shadowRate);
    }
    Device parsed;
    DecoderGraph.Weights weights;
    try {
      parsed = Device.parse(device);
      weights = DecoderGraph.Weights.parse(quantize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    SteerdServer server = SteerdServer.start(new SteerdServer.Options(model, tokenizer, host, port,
        metricsHost, metricsPort, dataDir, parsed,
        new EngineOptions(threads, spinWait, weights), maxBatch, queueSize, shadowRate));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        java.util.logging.Logger.getLogger(Main.class.getName())
            .info("steerd shutting down: finishing running requests");
        server.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "steerd-shutdown"));
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("steerd-server: " + e.getMessage());
      return 1;
    });
    System.exit(cli.execute(args));
  }
}
