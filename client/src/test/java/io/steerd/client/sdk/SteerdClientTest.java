package io.steerd.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.ModelInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SDK against {@link FakeSteerService} over grpc-java's in-process transport; a hang fails the test. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SteerdClientTest {

    private static final RetryPolicy FAST_RETRIES =
            new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), 2);

    private final FakeSteerService service = new FakeSteerService();
    private final HealthStatusManager health = new HealthStatusManager();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String serverName;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        serverName = InProcessServerBuilder.generateName();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("draining", ServingStatus.NOT_SERVING);
        server = InProcessServerBuilder.forName(serverName)
                .addService(service)
                .addService(health.getHealthService())
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private SteerdClient.Builder builder() {
        return SteerdClient.forChannelBuilder(InProcessChannelBuilder.forName(serverName)).retryPolicy(FAST_RETRIES);
    }

    private SteerdClient client(SteerdClient.Builder builder) {
        SteerdClient client = builder.build();
        toClose.add(client);
        return client;
    }

    private static long secondsLeft(Deadline deadline) {
        return deadline.timeRemaining(TimeUnit.SECONDS);
    }

    /** Waits until the server handler runs, so that a cancel reaches a call it is serving. */
    private void awaitArrival() throws InterruptedException {
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (service.attempts.get() == 0 && System.nanoTime() < stop) {
            Thread.sleep(5);
        }
        assertEquals(1, service.attempts.get(), "the call never reached the server");
    }

    private static GenerateRequest generate(String prompt, int maxTokens) {
        return GenerateRequest.newBuilder().setPrompt(prompt).setMaxTokens(maxTokens).build();
    }

    // ---- deadlines -------------------------------------------------------------

    @Test
    void unaryCallsGetTheDefaultDeadline() {
        SteerdClient client = client(builder());
        assertEquals(FakeSteerService.INFO, client.getModelInfo());
        Deadline seen = service.lastDeadline.get();
        assertNotNull(seen, "the server saw no deadline");
        long left = secondsLeft(seen);
        assertTrue(left > 25 && left <= 30, left + " s left of the 30 s default");
    }

    @Test
    void streamingCallsGetTheirOwnConfigurableDefault() {
        SteerdClient client = client(builder().generateDeadline(Duration.ofMinutes(7)));
        client.generate(generate("p", 2));
        long left = secondsLeft(service.lastDeadline.get());
        assertTrue(left > 400 && left <= 420, left + " s left of 7 min");

        SteerdClient unbounded = client(builder().generateDeadline(null));
        unbounded.generate(generate("p", 2));
        assertNull(service.lastDeadline.get(), "generateDeadline(null) means no deadline");
        unbounded.getModelInfo();
        assertNotNull(service.lastDeadline.get(), "unary calls keep theirs");
    }

    @Test
    void aDeadlineTheCallerSetIsKept() throws Exception {
        SteerdClient client = client(builder());

        client.withDeadlineAfter(Duration.ofMinutes(5)).getModelInfo();
        long longer = secondsLeft(service.lastDeadline.get());
        assertTrue(longer > 280 && longer <= 300, "view deadline: " + longer + " s left");

        client.withDeadlineAfter(Duration.ofSeconds(3)).async().getModelInfo().get(10, TimeUnit.SECONDS);
        assertTrue(secondsLeft(service.lastDeadline.get()) <= 3, "a shorter deadline is kept too");

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        Context.CancellableContext context = Context.current().withDeadlineAfter(2, TimeUnit.MINUTES, scheduler);
        try {
            context.call(client::getModelInfo);
        } finally {
            context.cancel(null);
            scheduler.shutdownNow();
        }
        long fromContext = secondsLeft(service.lastDeadline.get());
        assertTrue(fromContext > 100 && fromContext <= 120, "context deadline: " + fromContext + " s left");
    }

    @Test
    void theDefaultDeadlineEndsAHungCall() {
        SteerdClient client = client(builder().generateDeadline(Duration.ofMillis(300)));
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.generate(generate("endless", 1)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void badArgumentsAreRejectedByName() {
        assertEquals("target", assertThrows(NullPointerException.class, () -> SteerdClient.forTarget(null)).getMessage());
        assertEquals("credentials", assertThrows(NullPointerException.class,
                () -> SteerdClient.forTarget("localhost:1", null)).getMessage());
        assertEquals("channelBuilder",
                assertThrows(NullPointerException.class, () -> SteerdClient.forChannelBuilder(null)).getMessage());

        SteerdClient client = client(builder());
        assertEquals("timeout", assertThrows(NullPointerException.class, () -> client.withDeadlineAfter(null)).getMessage());
        assertEquals("timeout must be positive, got PT0S", assertThrows(IllegalArgumentException.class,
                () -> client.withDeadlineAfter(Duration.ZERO)).getMessage());
        assertEquals("timeout must be positive, got PT-1S", assertThrows(IllegalArgumentException.class,
                () -> client.withDeadlineAfter(Duration.ofSeconds(-1))).getMessage());
        assertEquals("unaryDeadline must be positive, got PT0S", assertThrows(IllegalArgumentException.class,
                () -> builder().unaryDeadline(Duration.ZERO)).getMessage());
        assertEquals("generateDeadline must be positive, got PT-0.001S", assertThrows(IllegalArgumentException.class,
                () -> builder().generateDeadline(Duration.ofMillis(-1))).getMessage());
    }

    @Test
    void deadlinesBeyondWhatNanosecondsHoldAreCappedNotOverflowed() {
        Duration forever = Duration.ofDays(365L * 1000);
        client(builder().unaryDeadline(forever)).getModelInfo();
        assertTrue(service.lastDeadline.get().timeRemaining(TimeUnit.DAYS) > 365L * 10);
        client(builder()).withDeadlineAfter(forever).getModelInfo();
        assertTrue(service.lastDeadline.get().timeRemaining(TimeUnit.DAYS) > 365L * 10);
    }

    // ---- retries ---------------------------------------------------------------

    @Test
    void unavailableIsRetriedUntilItSucceeds() {
        service.failuresLeft.set(2);
        ModelInfo info = client(builder()).getModelInfo();
        assertEquals(FakeSteerService.INFO, info);
        assertEquals(3, service.attempts.get());
    }

    @Test
    void retriesGiveUpAfterMaxAttemptsWithUnavailable() {
        service.failuresLeft.set(100);
        SteerdClient client = client(builder().retryPolicy(FAST_RETRIES.withMaxAttempts(4)));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, client::getModelInfo);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(4, service.attempts.get());
    }

    @Test
    void moreThanGrpcsDefaultFiveAttemptsAreMade() {
        service.failuresLeft.set(100);
        SteerdClient client = client(builder().retryPolicy(FAST_RETRIES.withMaxAttempts(8)));
        assertThrows(StatusRuntimeException.class, client::getModelInfo);
        assertEquals(8, service.attempts.get(), "maxRetryAttempts on the channel caps maxAttempts");
    }

    /**
     * The default policy's waits are random, but they add up to under 1 s only about 4 times in
     * 10,000 (the bounds are 0.5, 1, 2, 4 and 5 s); the test needs no tighter timing than that.
     */
    @Test
    void theDefaultPolicyRidesOutASecondOfUnavailability() {
        SteerdClient client = client(SteerdClient.forChannelBuilder(InProcessChannelBuilder.forName(serverName)));
        service.failUntilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        assertEquals(FakeSteerService.INFO, client.getModelInfo());
        assertTrue(service.attempts.get() >= 2, service.attempts.get() + " attempts");
    }

    /** The deadline is set above grpc-java's retry machinery, so it bounds all attempts together. */
    @Test
    void oneDeadlineBoundsAllRetryAttempts() {
        service.failuresLeft.set(1000);
        RetryPolicy patient = new RetryPolicy(50, Duration.ofMillis(200), Duration.ofMillis(200), 1);
        assertTheDeadlineEndsTheRetries(client(builder().retryPolicy(patient).unaryDeadline(Duration.ofMillis(700))));
        assertTheDeadlineEndsTheRetries(client(builder().retryPolicy(patient)).withDeadlineAfter(Duration.ofMillis(700)));
    }

    private void assertTheDeadlineEndsTheRetries(SteerdClient client) {
        service.attempts.set(0);
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, client::getModelInfo);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(millis < 5000, "took " + millis + " ms");
        assertTrue(service.attempts.get() > 1, "never retried");
        assertTrue(service.attempts.get() < 50, service.attempts.get() + " attempts");
    }

    @Test
    void otherCodesAreNotRetried() {
        service.failuresLeft.set(100);
        service.failWith = Status.INVALID_ARGUMENT.withDescription("max_tokens: must be positive");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, client(builder())::getModelInfo);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("max_tokens: must be positive", e.getStatus().getDescription());
        assertEquals(1, service.attempts.get());
    }

    @Test
    void retryPolicyNoneMakesOneAttempt() {
        service.failuresLeft.set(100);
        SteerdClient client = client(builder().retryPolicy(RetryPolicy.none()));
        assertThrows(StatusRuntimeException.class, client::getModelInfo);
        assertEquals(1, service.attempts.get());
    }

    @Test
    void aStreamIsRetriedBeforeItsFirstResponseButNotAfter() {
        service.failuresLeft.set(1);
        GenerateResult result = client(builder()).generate(generate("p", 3));
        assertEquals("t0t1t2", result.text());
        assertEquals(2, service.attempts.get());

        service.attempts.set(0);
        SteerdClient client = client(builder());
        try (ResponseStream<GenerateResponse> stream = client.generateStream(generate("fail after one", 1))) {
            assertEquals("t0", stream.next().getToken().getText());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, stream::hasNext);
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        }
        assertEquals(1, service.attempts.get(), "a stream that has yielded a response is committed");
    }

    // ---- streaming -------------------------------------------------------------

    @Test
    void theStreamYieldsTokensInOrderThenTheSummary() {
        List<GenerateResponse> responses = new ArrayList<>();
        try (ResponseStream<GenerateResponse> stream = client(builder()).generateStream(generate("p", 4))) {
            stream.forEachRemaining(responses::add);
            assertFalse(stream.hasNext());
        }
        assertEquals(5, responses.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(FakeSteerService.token(i), responses.get(i));
        }
        assertEquals("t0t1t2t3", responses.get(4).getSummary().getText());
    }

    @Test
    void generateCollectsTheTokensAndSummary() {
        GenerateResult result = client(builder()).generate(generate("p", 3));
        assertEquals(List.of("t0", "t1", "t2"), result.tokens().stream().map(t -> t.getText()).toList());
        assertEquals("t0t1t2", result.text());
        assertEquals(io.steerd.v1.FinishReason.LENGTH, result.finishReason());
    }

    @Test
    void closingTheStreamEarlyCancelsTheServerCall() throws Exception {
        SteerdClient client = client(builder());
        try (ResponseStream<GenerateResponse> stream = client.generateStream(generate("endless", 1))) {
            assertEquals("t0", stream.next().getToken().getText());
            assertEquals("t1", stream.next().getToken().getText());
        }
        assertTrue(service.generateCancelled.await(5, TimeUnit.SECONDS), "the server call was not cancelled");
    }

    @Test
    void closingFromAnotherThreadEndsABlockedReadWithoutAnError() throws Exception {
        ResponseStream<GenerateResponse> stream = client(builder()).generateStream(generate("hang", 1));
        CompletableFuture<Object> read = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                read.complete(stream.hasNext());
            } catch (Throwable t) {
                read.complete(t);
            }
        });
        reader.start();
        awaitArrival();
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reader.getState() != Thread.State.WAITING && System.nanoTime() < stop) {
            Thread.sleep(5); // until the reader is parked in hasNext(), waiting for a response
        }
        assertEquals(Thread.State.WAITING, reader.getState(), "the reader never blocked");

        stream.close();
        assertEquals(false, read.get(5, TimeUnit.SECONDS), "the blocked reader's hasNext()");
        assertFalse(stream.hasNext(), "hasNext() after close");
        NoSuchElementException e = assertThrows(NoSuchElementException.class, stream::next);
        assertEquals("the stream was closed", e.getMessage());
        assertTrue(service.generateCancelled.await(5, TimeUnit.SECONDS), "the server call was not cancelled");
    }

    @Test
    void aStreamClosedBeforeReadingIsAtItsEnd() {
        ResponseStream<GenerateResponse> stream = client(builder()).generateStream(generate("endless", 1));
        stream.close();
        assertFalse(stream.hasNext());
        assertThrows(NoSuchElementException.class, stream::next);
        assertEquals(0, stream.stream().count());
    }

    @Test
    void closingTheJavaStreamCancelsTheServerCall() throws Exception {
        SteerdClient client = client(builder());
        try (Stream<GenerateResponse> stream = client.generateStream(generate("endless", 1)).stream()) {
            assertEquals(List.of("t0", "t1", "t2"),
                    stream.limit(3).map(r -> r.getToken().getText()).toList());
        }
        assertTrue(service.generateCancelled.await(5, TimeUnit.SECONDS), "the server call was not cancelled");
    }

    // ---- async -----------------------------------------------------------------

    @Test
    void futuresCompleteWithTheResponse() throws Exception {
        AsyncSteerdClient async = client(builder()).async();
        assertEquals(FakeSteerService.INFO, async.getModelInfo().get(10, TimeUnit.SECONDS));
        assertEquals("t0t1", async.generate(generate("p", 2)).get(10, TimeUnit.SECONDS).text());
        assertEquals(ServingStatus.SERVING, async.health().get(10, TimeUnit.SECONDS));
    }

    @Test
    void futuresCompleteExceptionallyWithTheStatus() {
        CompletableFuture<?> future = client(builder()).async().getVector("nope");
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, e.getCause());
        assertEquals(Status.Code.NOT_FOUND, status.getStatus().getCode());
        assertEquals("vector 'nope' not found", status.getStatus().getDescription());
    }

    @Test
    void cancellingAFutureCancelsTheCall() throws Exception {
        CompletableFuture<GenerateResult> future = client(builder()).async().generate(generate("endless", 1));
        awaitArrival();
        assertTrue(future.cancel(true));
        assertTrue(service.generateCancelled.await(5, TimeUnit.SECONDS), "the server call was not cancelled");
    }

    @Test
    void theCallbackSeesEveryResponseInOrderThenCompletion() throws Exception {
        RecordingObserver<GenerateResponse> observer = new RecordingObserver<>();
        client(builder()).async().generate(generate("p", 3), observer);
        assertNull(observer.awaitEnd(), "the stream failed");
        assertEquals(4, observer.values.size());
        assertEquals(FakeSteerService.token(2), observer.values.get(2));
        assertTrue(observer.values.get(3).hasSummary());
    }

    @Test
    void theCallHandleCancelsTheCall() throws Exception {
        RecordingObserver<GenerateResponse> observer = new RecordingObserver<>();
        CallHandle call = client(builder()).async().generate(generate("endless", 1), observer);
        observer.awaitValues(2);
        call.cancel();
        Throwable error = observer.awaitEnd();
        assertEquals(Status.Code.CANCELLED, Status.fromThrowable(error).getCode());
        assertTrue(service.generateCancelled.await(5, TimeUnit.SECONDS), "the server call was not cancelled");
    }

    // ---- health and channel ownership ------------------------------------------

    @Test
    void healthReportsTheServersStatus() {
        SteerdClient client = client(builder());
        assertEquals(ServingStatus.SERVING, client.health());
        assertEquals(ServingStatus.NOT_SERVING, client.health("draining"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.health("unknown"));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void aWrappedChannelGetsDefaultDeadlinesAndStaysOpen() throws Exception {
        ManagedChannel channel = InProcessChannelBuilder.forName(serverName).build();
        try {
            SteerdClient client = SteerdClient.wrap(channel).unaryDeadline(Duration.ofSeconds(12)).build();
            client.getModelInfo();
            long left = secondsLeft(service.lastDeadline.get());
            assertTrue(left > 8 && left <= 12, left + " s left of 12");
            client.close();
            assertFalse(channel.isShutdown(), "closing the client closed a channel it does not own");
            assertThrows(IllegalStateException.class, () -> SteerdClient.wrap(channel).retryPolicy(FAST_RETRIES).build());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeShutsDownAnOwnedChannel() {
        SteerdClient client = builder().build();
        client.close();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, client::getModelInfo);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(0, service.attempts.get());
    }
}
