package io.steerd;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.client.exporter.HTTPServer;
import io.steerd.api.ExceptionInterceptor;
import io.steerd.api.MetricsInterceptor;
import io.steerd.api.SteerService;
import io.steerd.engine.DecoderSession;
import io.steerd.engine.Device;
import io.steerd.engine.EngineOptions;
import io.steerd.engine.Scheduler;
import io.steerd.metrics.SteerdMetrics;
import io.steerd.model.LoadedModel;
import io.steerd.model.ModelLoader;
import io.steerd.steering.VectorRegistry;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.Vector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** A running steerd: model session, scheduler, vector registry, gRPC server, metrics endpoint. */
public final class SteerdServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SteerdServer.class.getName());

  /**
   * @param metricsPort 0 for an ephemeral port, -1 for no metrics endpoint
   */
  public record Options(Path model, Path tokenizer, String host, int port, String metricsHost,
      int metricsPort, Path dataDir, Device device, EngineOptions engine, int maxBatch,
      int queueSize, double shadowRate) {}

  private final Server server;
  private final HTTPServer metricsServer;
  private final HealthStatusManager health;
  private final Scheduler scheduler;
  private final ExecutorService responses;
  private final DecoderSession session;

  private SteerdServer(Server server, HTTPServer metricsServer, HealthStatusManager health,
      Scheduler scheduler, ExecutorService responses, DecoderSession session) {
    this.responses = responses;
    this.server = server;
    this.metricsServer = metricsServer;
    this.health = health;
    this.scheduler = scheduler;
    this.session = session;
  }

  public static SteerdServer start(Options o) throws Exception {
    LoadedModel model = ModelLoader.load(o.model(), o.tokenizer());
    VectorRegistry registry = VectorRegistry.open(o.dataDir());
    DecoderSession session = DecoderSession.open(model.weights(), o.device(), o.engine());
    Scheduler scheduler = new Scheduler(session, model.tokenizer(), o.maxBatch(), o.queueSize());
    SteerdMetrics metrics = new SteerdMetrics();
    metrics.queuedRequests.setChild(new io.prometheus.client.Gauge.Child() {
      @Override
      public double get() {
        return scheduler.waiting();
      }
    });
    HealthStatusManager health = new HealthStatusManager();
    registry.list().stream().filter(Vector::hasTradeoff)
        .forEach(v -> metrics.recordSweep(v.getId(), v.getTradeoff().getReport()));
    ExecutorService responses = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "steerd-responses");
      t.setDaemon(true);
      return t;
    });
    SteerService service = new SteerService(model.card(), session, scheduler, registry, metrics,
        o.shadowRate(), responses);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(o.host(), o.port()))
        .addService(ServerInterceptors.intercept(service, new ExceptionInterceptor(),
            new MetricsInterceptor(metrics)))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(ProtoReflectionService.newInstance())
        .build();
    HTTPServer metricsServer = null;
    try {
      server.start();
      if (o.metricsPort() >= 0) {
        try {
          metricsServer = new HTTPServer.Builder()
              .withInetSocketAddress(new InetSocketAddress(o.metricsHost(), o.metricsPort()))
              .withRegistry(metrics.registry())
              .withDaemonThreads(true)
              .build();
        } catch (IOException e) {
          throw new IOException("metrics endpoint " + o.metricsHost() + ":" + o.metricsPort()
              + ": " + e.getMessage() + " (choose another --metrics-port, or -1 for none)", e);
        }
      }
    } catch (IOException e) {
      server.shutdownNow();
      scheduler.close();
      responses.shutdownNow();
      session.close();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(SteerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    SteerdServer running = new SteerdServer(server, metricsServer, health, scheduler, responses,
        session);
    LOG.info(String.format("steerd serving %s (%s) on %s:%d, metrics on %s, %d vectors in %s",
        model.source(), session.device(), o.host(), running.port(),
        running.metricsPort() >= 0 ? o.metricsHost() + ":" + running.metricsPort() : "off",
        registry.list().size(), o.dataDir().toAbsolutePath()));
    return running;
  }

  public int port() {
    return server.getPort();
  }

  /** The metrics endpoint's port, or -1 when it is off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking requests, lets running ones finish for a few seconds, then frees the model. */
  @Override
  public void close() throws Exception {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    scheduler.close();
    responses.shutdown();
    responses.awaitTermination(5, TimeUnit.SECONDS);
    if (scheduler.stopped()) {
      session.close();
    } else {
      // Freeing the session under a running step would crash the process; the OS reclaims it.
      LOG.warning("model thread still busy after 60 s; leaving the session to process exit");
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
