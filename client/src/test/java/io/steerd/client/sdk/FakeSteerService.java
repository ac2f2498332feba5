package io.steerd.client.sdk;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GeneratedToken;
import io.steerd.v1.GetModelInfoRequest;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.Vector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A scriptable SteerService for the SDK tests: it records the deadline and attempt count the
 * client's calls arrive with, and fails, streams or hangs on request.
 */
final class FakeSteerService extends SteerServiceGrpc.SteerServiceImplBase {

    static final ModelInfo INFO = ModelInfo.newBuilder().setArchitecture("llama").setNumLayers(5).build();

    /** The deadline of the last call, or null when it had none. */
    final AtomicReference<Deadline> lastDeadline = new AtomicReference<>();
    final AtomicInteger attempts = new AtomicInteger();
    /** Calls fail with {@link #failWith} until this many attempts have failed. */
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile Status failWith = Status.UNAVAILABLE.withDescription("scripted failure");
    /** Calls also fail with {@link #failWith} until {@link System#nanoTime()} reaches this; null: never. */
    volatile Long failUntilNanos;
    /** Counted down when the server sees a Generate call cancelled. */
    final CountDownLatch generateCancelled = new CountDownLatch(1);

    private boolean arrive() {
        lastDeadline.set(Context.current().getDeadline());
        attempts.incrementAndGet();
        Long until = failUntilNanos;
        boolean down = until != null && System.nanoTime() - until < 0;
        return failuresLeft.getAndDecrement() > 0 || down;
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> out) {
        if (arrive()) {
            out.onError(failWith.asRuntimeException());
            return;
        }
        out.onNext(INFO);
        out.onCompleted();
    }

    @Override
    public void getVector(GetVectorRequest request, StreamObserver<Vector> out) {
        arrive();
        out.onError(Status.NOT_FOUND.withDescription("vector '" + request.getId() + "' not found").asRuntimeException());
    }

    /**
     * {@code max_tokens} tokens "t0", "t1", ... then the summary. Prompt "endless": tokens until
     * the call is cancelled. Prompt "hang": nothing until the call is cancelled. Prompt "fail after
     * one": one token, then {@link #failWith}.
     */
    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
        ServerCallStreamObserver<GenerateResponse> call = (ServerCallStreamObserver<GenerateResponse>) out;
        call.setOnCancelHandler(generateCancelled::countDown);
        if (arrive()) {
            out.onError(failWith.asRuntimeException());
            return;
        }
        switch (request.getPrompt()) {
            case "hang" -> {
                // No response and no end: the call stays open until the client cancels it.
            }
            case "endless" -> {
                for (int i = 0; !call.isCancelled(); i++) {
                    out.onNext(token(i));
                    sleep(5);
                }
            }
            case "fail after one" -> {
                out.onNext(token(0));
                out.onError(failWith.asRuntimeException());
            }
            default -> {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < request.getMaxTokens(); i++) {
                    out.onNext(token(i));
                    text.append(token(i).getToken().getText());
                }
                out.onNext(GenerateResponse.newBuilder().setSummary(GenerateSummary.newBuilder()
                        .setFinishReason(FinishReason.LENGTH).setGeneratedTokens(request.getMaxTokens())
                        .setText(text.toString())).build());
                out.onCompleted();
            }
        }
    }

    static GenerateResponse token(int i) {
        return GenerateResponse.newBuilder()
                .setToken(GeneratedToken.newBuilder().setId(100 + i).setText("t" + i))
                .build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
