package io.steerd.client.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
        if (!(backoffMultiplier >= 1) || Double.isInfinite(backoffMultiplier)) {
            throw new IllegalArgumentException("backoffMultiplier must be a finite number >= 1, got " + backoffMultiplier);
        }
    }

    /** 5 attempts, backoff bounds 0.1 s doubling up to 5 s: rides out a restart of a few seconds. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5), 2);
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
     * <p>Server-streaming calls (Generate, MeasureTradeoff) are retried only until the first
     * response arrives: grpc-java commits the call then, because a retry would replay tokens the
     * caller has already read. So a retried stream never yields duplicate chunks.
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

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }
}
