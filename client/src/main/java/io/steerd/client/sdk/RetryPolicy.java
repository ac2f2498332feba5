package io.steerd.client.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How calls are retried when they fail with UNAVAILABLE: up to {@code maxAttempts} attempts in
 * all, the n-th retry after a random delay of up to
 * {@code min(initialBackoff * backoffMultiplier^(n-1), maxBackoff)} (gRPC's retry design, A6).
 *
 * <p>Only UNAVAILABLE is retried: it means the request did not run (no connection, the server
 * shutting down), whereas other codes are the server's answer and would come back again.
 *
 * @param maxAttempts attempts including the first; 1 disables retries
 * @param initialBackoff the bound on the first retry's delay
 * @param maxBackoff the bound on any retry's delay
 * @param backoffMultiplier growth of the bound per retry, at least 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double backoffMultiplier) {

    private static final List<String> RETRIED_SERVICES = List.of("steerd.v1.SteerService", "grpc.health.v1.Health");

    /** Validates the settings. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Durations.requirePositive(initialBackoff, "initialBackoff");
        Durations.requirePositive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
        if (!(backoffMultiplier >= 1) || Double.isInfinite(backoffMultiplier)) {
            throw new IllegalArgumentException("backoffMultiplier must be a finite number >= 1, got " + backoffMultiplier);
        }
    }

    /**
     * 6 attempts, backoff bounds 0.5 s doubling up to 5 s. The five waits are random, each up to
     * its bound (0.5, 1, 2, 4, 5 s), so they add up to at most 12.5 s, and to 6.25 s on average. What that covers is a probability, not a promise:
     * a server that answers UNAVAILABLE for 1 s is reached in all but about 4 calls in 10,000, for
     * 2 s in 99% of calls, for 3 s in 95%, for 5 s in 73%.
     *
     * <p>Against a server that is down (connection refused) the channel's own reconnect backoff
     * also counts: grpc-java waits about 1 s before reconnecting, then 1.6 times longer each time,
     * and attempts made meanwhile fail at once. Use {@link #withMaxAttempts} or a policy of your
     * own for longer outages, with a deadline that leaves time for them.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(5), 2);
    }

    /** One attempt: failures surface at once. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(100), Duration.ofMillis(100), 1);
    }

    /** The same policy with another attempt count. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, backoffMultiplier);
    }

    boolean retries() {
        return maxAttempts > 1;
    }

    /**
     * The gRPC service config that applies this policy to steerd and health calls. grpc-java
     * wants JSON numbers as Double and durations as decimal-seconds strings.
     *
     * <p>Server-streaming calls (Generate, MeasureTradeoff) are retried only until the server's
     * response headers arrive: grpc-java commits the call then, and no response can come before
     * the headers, so a retried stream never yields duplicate chunks. A server that sends its
     * headers before its first response (rather than with it) therefore ends retries earlier;
     * an UNAVAILABLE after the headers reaches the caller.
     */
    Map<String, ?> serviceConfig() {
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", (double) maxAttempts,
                "initialBackoff", seconds(initialBackoff),
                "maxBackoff", seconds(maxBackoff),
                "backoffMultiplier", backoffMultiplier,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        List<Map<String, String>> names = RETRIED_SERVICES.stream().map(s -> Map.of("service", s)).toList();
        return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", retryPolicy)));
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%d.%09ds", duration.getSeconds(), duration.getNano());
    }
}
