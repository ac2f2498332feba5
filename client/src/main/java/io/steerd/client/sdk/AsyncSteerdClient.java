package io.steerd.client.sdk;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.steerd.v1.ContinuationScore;
import io.steerd.v1.DeleteVectorRequest;
import io.steerd.v1.DeleteVectorResponse;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GetModelInfoRequest;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.ListVectorsResponse;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.ScoreRequest;
import io.steerd.v1.ScoreResponse;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.SteerServiceGrpc.SteerServiceStub;
import io.steerd.v1.Token;
import io.steerd.v1.TokenizeRequest;
import io.steerd.v1.TokenizeResponse;
import io.steerd.v1.Vector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The calls of {@link SteerdClient} without blocking, from {@link SteerdClient#async()}. Deadlines
 * and retries are the client's.
 *
 * <p>Futures complete exceptionally with {@link io.grpc.StatusRuntimeException} when a call fails
 * ({@code join()} wraps it in a {@link java.util.concurrent.CompletionException}); cancelling a
 * future cancels its call. Futures complete, and callbacks run, on the channel's executor
 * threads: do not block in them.
 */
public final class AsyncSteerdClient {

    private final SteerServiceStub steer;
    private final HealthGrpc.HealthStub health;

    AsyncSteerdClient(Channel channel, Deadline deadline) {
        SteerServiceStub steer = SteerServiceGrpc.newStub(channel);
        HealthGrpc.HealthStub health = HealthGrpc.newStub(channel);
        this.steer = deadline == null ? steer : steer.withDeadline(deadline);
        this.health = deadline == null ? health : health.withDeadline(deadline);
    }

    /** See {@link SteerdClient#putVector}. */
    public CompletableFuture<Vector> putVector(Vector vector) {
        FutureObserver<PutVectorRequest, Vector, Vector> observer = FutureObserver.unary(Function.identity());
        steer.putVector(PutVectorRequest.newBuilder().setVector(vector).build(), observer);
        return observer.future;
    }

    /** See {@link SteerdClient#getVector}. */
    public CompletableFuture<Vector> getVector(String id) {
        FutureObserver<GetVectorRequest, Vector, Vector> observer = FutureObserver.unary(Function.identity());
        steer.getVector(GetVectorRequest.newBuilder().setId(id).build(), observer);
        return observer.future;
    }

    /** See {@link SteerdClient#listVectors}. */
    public CompletableFuture<List<Vector>> listVectors(boolean omitValues) {
        FutureObserver<ListVectorsRequest, ListVectorsResponse, List<Vector>> observer =
                FutureObserver.unary(ListVectorsResponse::getVectorsList);
        steer.listVectors(ListVectorsRequest.newBuilder().setOmitValues(omitValues).build(), observer);
        return observer.future;
    }

    /** See {@link SteerdClient#deleteVector}. */
    public CompletableFuture<Void> deleteVector(String id) {
        FutureObserver<DeleteVectorRequest, DeleteVectorResponse, Void> observer =
                FutureObserver.unary(response -> null);
        steer.deleteVector(DeleteVectorRequest.newBuilder().setId(id).build(), observer);
        return observer.future;
    }

    /** See {@link SteerdClient#extractVector}. */
    public CompletableFuture<Vector> extractVector(ExtractVectorRequest request) {
        FutureObserver<ExtractVectorRequest, Vector, Vector> observer = FutureObserver.unary(Function.identity());
        steer.extractVector(request, observer);
        return observer.future;
    }

    /** See {@link SteerdClient#score}. */
    public CompletableFuture<List<ContinuationScore>> score(ScoreRequest request) {
        FutureObserver<ScoreRequest, ScoreResponse, List<ContinuationScore>> observer =
                FutureObserver.unary(ScoreResponse::getScoresList);
        steer.score(request, observer);
        return observer.future;
    }

    /** See {@link SteerdClient#getModelInfo}. */
    public CompletableFuture<ModelInfo> getModelInfo() {
        FutureObserver<GetModelInfoRequest, ModelInfo, ModelInfo> observer = FutureObserver.unary(Function.identity());
        steer.getModelInfo(GetModelInfoRequest.getDefaultInstance(), observer);
        return observer.future;
    }

    /** See {@link SteerdClient#tokenize}. */
    public CompletableFuture<List<Token>> tokenize(String text, boolean addBos) {
        FutureObserver<TokenizeRequest, TokenizeResponse, List<Token>> observer =
                FutureObserver.unary(TokenizeResponse::getTokensList);
        steer.tokenize(TokenizeRequest.newBuilder().setText(text).setAddBos(addBos).build(), observer);
        return observer.future;
    }

    /** Generates; the future completes with the whole text when the stream ends. */
    public CompletableFuture<GenerateResult> generate(GenerateRequest request) {
        GenerateCollector collector = new GenerateCollector();
        FutureObserver<GenerateRequest, GenerateResponse, GenerateResult> observer =
                FutureObserver.streaming(collector::accept, collector::result);
        steer.generate(request, observer);
        return observer.future;
    }

    /**
     * Generates, passing each response to {@code observer} as it arrives: {@code onNext} per token
     * and for the summary, then {@code onCompleted}, or {@code onError} with a
     * {@link io.grpc.StatusRuntimeException}.
     *
     * @return a handle to cancel generation with
     */
    public CallHandle generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
        CancellableObserver<GenerateRequest, GenerateResponse> cancellable = new CancellableObserver<>(observer);
        steer.generate(request, cancellable);
        return cancellable;
    }

    /** See {@link SteerdClient#health()}. */
    public CompletableFuture<ServingStatus> health() {
        FutureObserver<HealthCheckRequest, HealthCheckResponse, ServingStatus> observer =
                FutureObserver.unary(HealthCheckResponse::getStatus);
        health.check(HealthCheckRequest.getDefaultInstance(), observer);
        return observer.future;
    }

    /** Forwards to the caller's observer and keeps the call, to cancel it. */
    private static final class CancellableObserver<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT>, CallHandle {
        private final StreamObserver<RespT> delegate;
        private volatile ClientCallStreamObserver<ReqT> call;

        CancellableObserver(StreamObserver<RespT> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ReqT> call) {
            this.call = call;
        }

        @Override
        public void cancel() {
            call.cancel("cancelled by the caller", null);
        }

        @Override
        public void onNext(RespT value) {
            delegate.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
            delegate.onError(t);
        }

        @Override
        public void onCompleted() {
            delegate.onCompleted();
        }
    }
}
