package io.steerd.client.sdk;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Completes a {@link CompletableFuture} from a call's responses, and cancels the call when the
 * future is cancelled, so an abandoned future does not leave work running on the server.
 */
final class FutureObserver<ReqT, RespT, R> implements ClientResponseObserver<ReqT, RespT> {

    final CompletableFuture<R> future = new CompletableFuture<>();
    private final Consumer<RespT> accumulate;
    private final Supplier<R> finish;

    private FutureObserver(Consumer<RespT> accumulate, Supplier<R> finish) {
        this.accumulate = accumulate;
        this.finish = finish;
    }

    /** For a unary call: the single response, mapped. */
    static <ReqT, RespT, R> FutureObserver<ReqT, RespT, R> unary(Function<RespT, R> mapper) {
        Object[] response = new Object[1];
        @SuppressWarnings("unchecked")
        Supplier<R> finish = () -> mapper.apply((RespT) response[0]);
        return new FutureObserver<>(r -> response[0] = r, finish);
    }

    /** For a streaming call: {@code accumulate} sees each response, {@code finish} makes the result. */
    static <ReqT, RespT, R> FutureObserver<ReqT, RespT, R> streaming(Consumer<RespT> accumulate, Supplier<R> finish) {
        return new FutureObserver<>(accumulate, finish);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReqT> call) {
        future.whenComplete((result, error) -> {
            if (future.isCancelled()) {
                call.cancel("the caller cancelled the future", null);
            }
        });
    }

    @Override
    public void onNext(RespT response) {
        accumulate.accept(response);
    }

    @Override
    public void onError(Throwable t) {
        future.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        try {
            future.complete(finish.get());
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
    }
}
