package io.steerd.client.sdk;

import io.grpc.Context;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The responses of a server-streaming call, read as they arrive. Reading blocks until the next
 * response; a failed call (an error from the server, an expired deadline, a cancelled
 * {@link Context}) throws {@link io.grpc.StatusRuntimeException} from {@link #hasNext()}.
 *
 * <p>Close it (try-with-resources) when abandoning it early: closing cancels the RPC, so the
 * server stops generating for a reader that has gone. Closing a finished stream does nothing.
 * Once closed, the stream is at its end: {@link #hasNext()} returns false and {@link #next()}
 * throws {@link NoSuchElementException}, also for a reader blocked in {@code hasNext()} on
 * another thread when {@code close()} is called; the cancellation is not reported as an error,
 * nor is anything the call ended with that the reader had not yet read.
 * Not thread-safe, except that {@link #close()} may be called from any thread to stop a
 * reader blocked in {@link #hasNext()}.
 *
 * @param <T> the response message type
 */
public final class ResponseStream<T> implements Iterator<T>, AutoCloseable {

    private final Context.CancellableContext context;
    private final Iterator<T> responses;
    /** Set by {@link #close()}, not when the call ends by itself. */
    private volatile boolean closed;

    private ResponseStream(Context.CancellableContext context, Iterator<T> responses) {
        this.context = context;
        this.responses = responses;
    }

    /**
     * Starts {@code call} in a cancellable context of its own: the blocking stub's iterator has
     * no cancel of its own, but a call is cancelled with the context it was started in.
     */
    static <T> ResponseStream<T> start(Supplier<Iterator<T>> call) {
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        try {
            return new ResponseStream<>(context, call.get());
        } catch (RuntimeException e) {
            context.cancel(e);
            throw e;
        } finally {
            context.detach(previous);
        }
    }

    /** Waits for the next response or the end of the stream. */
    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        try {
            boolean more = responses.hasNext();
            if (!more) {
                release();
            }
            return more && !closed;
        } catch (RuntimeException e) {
            release();
            if (closed) {
                return false; // the CANCELLED that close() caused, or an end the owner abandoned
            }
            throw e;
        }
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException(closed ? "the stream was closed" : "the stream has ended");
        }
        return responses.next();
    }

    /** The remaining responses as a sequential {@link Stream} whose {@code close()} cancels the call. */
    public Stream<T> stream() {
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    /** Cancels the call if it is still running; from then on the stream is at its end. */
    @Override
    public void close() {
        closed = true;
        release();
    }

    /** Releases the context, cancelling the call if it is still running. */
    private void release() {
        context.cancel(null);
    }
}
