package io.steerd.client.sdk;

import java.time.Duration;
import java.util.Objects;

/** The one rule for the SDK's duration arguments (deadlines, backoffs), and their conversion. */
final class Durations {

    private Durations() {}

    /**
     * {@code duration}, when it is positive.
     *
     * @throws NullPointerException naming {@code name} when it is null
     * @throws IllegalArgumentException naming {@code name} when it is zero or negative
     */
    static Duration requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }

    /** As {@link #requirePositive}, but null (no deadline) is allowed. */
    static Duration requirePositiveOrNull(Duration duration, String name) {
        return duration == null ? null : requirePositive(duration, name);
    }

    /**
     * In nanoseconds, saturating at {@link Long#MAX_VALUE} (292 years) where
     * {@link Duration#toNanos()} would overflow; gRPC caps deadlines at about 100 years anyway.
     */
    static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
