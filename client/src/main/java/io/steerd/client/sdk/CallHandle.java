package io.steerd.client.sdk;

/** A running streaming call started with a callback. */
public interface CallHandle {

    /**
     * Cancels the call; the callback's {@code onError} then receives CANCELLED, unless the call
     * had already finished, in which case this does nothing.
     */
    void cancel();
}
