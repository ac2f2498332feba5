package io.steerd.client.sdk;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Records what a streaming call delivers, for tests to wait on. */
final class RecordingObserver<T> implements StreamObserver<T> {

    final List<T> values = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    @Override
    public void onNext(T value) {
        values.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error.set(t);
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        ended.countDown();
    }

    /** Waits for the end of the stream; returns its error, or null when it completed. */
    Throwable awaitEnd() throws InterruptedException {
        if (!ended.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the stream did not end");
        }
        return error.get();
    }

    void awaitValues(int count) throws InterruptedException {
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (values.size() < count) {
            if (System.nanoTime() > stop) {
                throw new AssertionError("only " + values.size() + " of " + count + " values arrived");
            }
            Thread.sleep(5);
        }
    }
}
