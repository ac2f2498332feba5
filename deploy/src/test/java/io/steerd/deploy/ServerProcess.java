package io.steerd.deploy;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.steerd.v1.SteerServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server jar running as its own process on free loopback ports, as CI and a pod run
 * it; tests talk to it only over gRPC and HTTP.
 */
final class ServerProcess implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final Path dataDir;
  private final Path log;
  private final int port;
  private final int metricsPort;
  private final ManagedChannel channel;

  private ServerProcess(Process process, Path dataDir, Path log, int port, int metricsPort) {
    this.process = process;
    this.dataDir = dataDir;
    this.log = log;
    this.port = port;
    this.metricsPort = metricsPort;
    this.channel = NettyChannelBuilder.forAddress(HOST, port).usePlaintext().build();
  }

  static ServerProcess start(String... extraArgs) throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("steerd-data");
    Path log = Files.createTempFile("steerd-server", ".log");
    int port = freePort();
    int metricsPort = freePort();
    List<String> command = new ArrayList<>(List.of(Processes.java(), "-jar",
        Repo.serverJar().toString(), "--model", Repo.model().toString(),
        "--host", HOST, "--port", Integer.toString(port),
        "--metrics-host", HOST, "--metrics-port", Integer.toString(metricsPort),
        "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(process, dataDir, log, port, metricsPort);
    try {
      server.awaitServing();
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitServing() throws InterruptedException {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("steerd exited with " + process.exitValue() + ":\n"
            + log());
      }
      try {
        ServingStatus status = health.withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        if (status == ServingStatus.SERVING) {
          return;
        }
      } catch (StatusRuntimeException notYet) {
        // Still loading the model, or the port is not bound yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("steerd was not SERVING within " + STARTUP + ":\n" + log());
  }

  /** host:port for gRPC clients. */
  String address() {
    return HOST + ":" + port;
  }

  String metricsTarget() {
    return HOST + ":" + metricsPort;
  }

  ManagedChannel channel() {
    return channel;
  }

  SteerServiceGrpc.SteerServiceBlockingStub steer() {
    return SteerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  /** The Prometheus text exposition at /metrics. */
  String scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + metricsTarget() + "/metrics"))
            .timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/metrics answered " + response.statusCode());
    }
    return response.body();
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
