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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged server jar running as its own process on free loopback ports, as CI and a pod run
 * it; tests talk to it only over gRPC and HTTP.
 */
final class ServerProcess implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** The line SteerdServer logs once both ports are bound; port 0 lets the OS choose them. */
  private static final Pattern SERVING_LINE =
      Pattern.compile(" on [^ ]+:(\\d+), metrics on [^ ]+:(\\d+),");

  private final Process process;
  private final Thread killOnExit;
  private final Path dataDir;
  private final Path log;
  private int port;
  private int metricsPort;
  private ManagedChannel channel;

  private ServerProcess(Process process, Path dataDir, Path log) {
    this.process = process;
    this.dataDir = dataDir;
    this.log = log;
    // A test JVM killed by a CI timeout must not leave a server holding the model and ports.
    this.killOnExit = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  static ServerProcess start(String... extraArgs) throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("steerd-data");
    Path log = Files.createTempFile("steerd-server", ".log");
    List<String> command = new ArrayList<>(List.of(Processes.java(), "-jar",
        Repo.serverJar().toString(), "--model", Repo.model().toString(),
        "--host", HOST, "--port", "0", "--metrics-host", HOST, "--metrics-port", "0",
        "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      deleteTree(dataDir);
      Files.deleteIfExists(log);
      throw e;
    }
    ServerProcess server = new ServerProcess(process, dataDir, log);
    try {
      server.awaitServing();
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitServing() throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("steerd exited with " + process.exitValue() + ":\n"
            + log());
      }
      if (channel == null) {
        Matcher bound = SERVING_LINE.matcher(log());
        if (bound.find()) {
          port = Integer.parseInt(bound.group(1));
          metricsPort = Integer.parseInt(bound.group(2));
          channel = NettyChannelBuilder.forAddress(HOST, port).usePlaintext().build();
        }
      } else if (serving()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("steerd was not SERVING within " + STARTUP + ":\n" + log());
  }

  private boolean serving() {
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
    } catch (StatusRuntimeException notYet) {
      return false;
    }
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
    if (channel != null) {
      channel.shutdownNow();
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Runtime.getRuntime().removeShutdownHook(killOnExit);
    try {
      deleteTree(dataDir);
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
