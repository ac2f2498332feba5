package io.steerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.steerd.SharedFiles;
import io.steerd.SteerdServer;
import io.steerd.engine.Device;
import io.steerd.engine.EngineOptions;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GeneratedToken;
import io.steerd.v1.SteerServiceGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real steerd (Netty on loopback, the stories260K model on CPU) and a plaintext channel to it.
 * Every stub it hands out carries a deadline, so a server that hangs fails the test instead of
 * blocking the build.
 */
final class LiveServer implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  static final Duration DEADLINE = Duration.ofSeconds(30);

  /** stories260K's shape, as the tests rely on it. */
  static final int LAYERS = 5;
  static final int HIDDEN = 64;
  static final int VOCAB = 512;
  static final int CONTEXT = 512;

  final SteerdServer server;
  final ManagedChannel channel;

  private LiveServer(SteerdServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  static LiveServer start(Path dataDir) throws Exception {
    return start(dataDir, 0);
  }

  /** A server that shadows {@code shadowRate} of steered requests for its metrics. */
  static LiveServer start(Path dataDir, double shadowRate) throws Exception {
    Path model = SharedFiles.stories260K();
    SteerdServer server = SteerdServer.start(new SteerdServer.Options(
        model.resolve("stories260K.bin"), model.resolve("tok512.bin"), HOST, 0, HOST, 0, dataDir,
        Device.CPU, EngineOptions.threads(1), 8, 16, shadowRate));
    ManagedChannel channel = NettyChannelBuilder.forAddress(HOST, server.port())
        .usePlaintext()
        .build();
    return new LiveServer(server, channel);
  }

  /** A stub whose next call must finish within {@link #DEADLINE}. */
  SteerServiceGrpc.SteerServiceBlockingStub steer() {
    return SteerServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  HealthGrpc.HealthBlockingStub health() {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A whole Generate stream: its tokens and the closing summary. */
  record Generation(List<GeneratedToken> tokens, GenerateSummary summary) {
    List<Integer> ids() {
      return tokens.stream().map(GeneratedToken::getId).toList();
    }

    String streamedText() {
      return tokens.stream().map(GeneratedToken::getText).collect(Collectors.joining());
    }
  }

  /** Runs Generate to the end; fails unless the stream is tokens followed by one summary. */
  Generation generate(GenerateRequest request) {
    Iterator<GenerateResponse> stream = steer().generate(request);
    List<GeneratedToken> tokens = new ArrayList<>();
    GenerateSummary summary = null;
    while (stream.hasNext()) {
      GenerateResponse r = stream.next();
      if (summary != null) {
        throw new AssertionError("message after the summary: " + r);
      }
      switch (r.getEventCase()) {
        case TOKEN -> tokens.add(r.getToken());
        case SUMMARY -> summary = r.getSummary();
        default -> throw new AssertionError("empty GenerateResponse");
      }
    }
    if (summary == null) {
      throw new AssertionError("stream ended without a summary after " + tokens.size() + " tokens");
    }
    return new Generation(tokens, summary);
  }

  /**
   * The server answers a health check with SERVING and still generates: a greedy 3-token
   * Generate streams exactly 3 tokens and finishes by LENGTH.
   */
  void assertHealthy() {
    assertEquals(ServingStatus.SERVING,
        health().check(HealthCheckRequest.getDefaultInstance()).getStatus());
    Generation g = generate(GenerateRequest.newBuilder()
        .setPrompt("Once upon a time")
        .setMaxTokens(3)
        .setTemperature(0f)
        .build());
    assertEquals(3, g.tokens().size(), () -> "tokens: " + g.tokens());
    assertEquals(FinishReason.LENGTH, g.summary().getFinishReason());
    assertEquals(3, g.summary().getGeneratedTokens());
  }

  int port() {
    return server.port();
  }

  /** The Prometheus text exposition from the server's metrics endpoint. */
  String metrics() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://" + HOST + ":" + server.metricsPort() + "/metrics"))
        .timeout(DEADLINE).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  @Override
  public void close() throws Exception {
    try {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } finally {
      server.close();
    }
  }
}
