package io.steerd.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void serviceConfigRetriesOnlyUnavailableForSteerdAndHealth() {
        Map<String, ?> config = new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(3), 1.5).serviceConfig();
        Map<?, ?> methodConfig = (Map<?, ?>) ((List<?>) config.get("methodConfig")).get(0);
        assertEquals(List.of(Map.of("service", "steerd.v1.SteerService"), Map.of("service", "grpc.health.v1.Health")),
                methodConfig.get("name"));
        assertEquals(Map.of("maxAttempts", 4.0, "initialBackoff", "0.250000000s", "maxBackoff", "3.000000000s",
                "backoffMultiplier", 1.5, "retryableStatusCodes", List.of("UNAVAILABLE")),
                methodConfig.get("retryPolicy"));
    }

    @Test
    void defaultsAreSixAttemptsWithBackoffBoundsFromHalfASecondToFive() {
        RetryPolicy defaults = RetryPolicy.defaults();
        assertEquals(new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(5), 2), defaults);
        Map<?, ?> methodConfig = (Map<?, ?>) ((List<?>) defaults.serviceConfig().get("methodConfig")).get(0);
        assertEquals(Map.of("maxAttempts", 6.0, "initialBackoff", "0.500000000s", "maxBackoff", "5.000000000s",
                "backoffMultiplier", 2.0, "retryableStatusCodes", List.of("UNAVAILABLE")),
                methodConfig.get("retryPolicy"));
    }

    @Test
    void rejectsSettingsGrpcWouldNot() {
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.defaults().withMaxAttempts(0));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ZERO, Duration.ofSeconds(1), 2));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5));
    }
}
