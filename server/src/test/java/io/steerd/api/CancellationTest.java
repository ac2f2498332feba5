package io.steerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.steerd.api.LiveServer.Generation;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.SteerServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that walks away from a long Generate frees the model for the next request. */
class CancellationTest {
  private static final int CANCEL_AFTER = 3;

  @TempDir static Path dataDir;
  private static LiveServer live;

  @BeforeAll
  static void start() throws Exception {
    live = LiveServer.start(dataDir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void cancelledGenerateStopsAndTheServerServesTheNextRequest() throws Exception {
    // Sampling at temperature 1 keeps stories260K from ending its story early.
    GenerateRequest longRequest = GenerateRequest.newBuilder()
        .setPrompt("Once upon a time").setMaxTokens(500).setTemperature(1f).setSeed(11).build();
    GenerateRequest shortRequest = GenerateRequest.newBuilder()
        .setPrompt("Lily went to the park").setMaxTokens(3).setTemperature(0f).build();
    Generation expected = live.generate(shortRequest);
    int uncancelledTokens = live.generate(longRequest).tokens().size();
    assertTrue(uncancelledTokens > 100, "the long request only made " + uncancelledTokens);
    double tokensBefore = metric("steerd_generated_tokens_total");

    AtomicInteger received = new AtomicInteger();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    SteerServiceGrpc.newStub(live.channel)
        .withDeadlineAfter(LiveServer.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .generate(longRequest, new ClientResponseObserver<GenerateRequest, GenerateResponse>() {
          private ClientCallStreamObserver<GenerateRequest> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
            call = requestStream;
          }

          @Override
          public void onNext(GenerateResponse response) {
            if (received.incrementAndGet() == CANCEL_AFTER) {
              call.cancel("the test walks away", null);
            }
          }

          @Override
          public void onError(Throwable t) {
            closed.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            closed.complete(Status.OK);
          }
        });

    Status status = closed.get(LiveServer.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Status.Code.CANCELLED, status.getCode(), status::toString);
    // Messages already on their way may still arrive after cancel(); none can complete the call.
    assertTrue(received.get() >= CANCEL_AFTER);
    // The whole stream is uncancelledTokens tokens and a summary: not even every token arrives.
    assertTrue(received.get() < uncancelledTokens,
        "all " + received.get() + " messages of the stream arrived");

    // The next request is served promptly and as if nothing had happened.
    long start = System.nanoTime();
    Generation next = live.generate(shortRequest);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(expected.ids(), next.ids());
    assertEquals(FinishReason.LENGTH, next.summary().getFinishReason());
    assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "the next request took " + took);

    // The server counted the call as cancelled and stopped generating for it early.
    awaitMetric("steerd_requests_total{method=\"Generate\",code=\"CANCELLED\"}", 1.0);
    double streamedForCancelled =
        metric("steerd_generated_tokens_total") - tokensBefore - next.tokens().size();
    assertTrue(streamedForCancelled >= CANCEL_AFTER
            && streamedForCancelled < uncancelledTokens,
        "tokens generated for the cancelled call: " + streamedForCancelled + " of "
            + uncancelledTokens);
    assertEquals(0.0, metric("steerd_running_streams"));
    // Once the count settles, the cancelled call still made fewer tokens than it would have
    // uncancelled: a server that ignored the cancellation and kept generating would reach them.
    double settled = settledMetric("steerd_generated_tokens_total")
        - tokensBefore - next.tokens().size();
    assertTrue(settled >= CANCEL_AFTER && settled < uncancelledTokens,
        "tokens generated for the cancelled call, settled: " + settled + " of "
            + uncancelledTokens);
    live.assertHealthy();
  }

  /** Waits up to the deadline for a sample to reach a value; the server counts asynchronously. */
  private static void awaitMetric(String sample, double value) throws Exception {
    long deadline = System.nanoTime() + LiveServer.DEADLINE.toNanos();
    Double seen = null;
    while (System.nanoTime() < deadline) {
      seen = sample(live.metrics(), sample);
      if (seen != null && seen == value) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(sample + " is " + seen + ", expected " + value);
  }

  /** A sample's value once it has stopped changing for 300 ms (up to the deadline). */
  private static double settledMetric(String sample) throws Exception {
    long deadline = System.nanoTime() + LiveServer.DEADLINE.toNanos();
    double value = metric(sample);
    while (System.nanoTime() < deadline) {
      Thread.sleep(300);
      double now = metric(sample);
      if (now == value) {
        return value;
      }
      value = now;
    }
    throw new AssertionError(sample + " still changing at the deadline: " + value);
  }

  private static double metric(String sample) throws Exception {
    Double value = sample(live.metrics(), sample);
    assertNotNull(value, () -> "no sample " + sample);
    return value;
  }

  /**
   * The value of one sample in the text exposition, or null. {@code sample} is written as
   * {@code name{a="x",b="y"}}; simpleclient may put a trailing comma after the last label.
   */
  static Double sample(String exposition, String sample) {
    String pattern = Pattern.quote(sample);
    if (sample.endsWith("}")) {
      pattern = Pattern.quote(sample.substring(0, sample.length() - 1)) + ",?\\}";
    }
    Matcher m = Pattern.compile("(?m)^" + pattern + " (\\S+)$").matcher(exposition);
    return m.find() ? Double.valueOf(m.group(1)) : null;
  }
}
