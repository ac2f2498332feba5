package io.steerd.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.steerd.v1.SteerServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext channel to steerd (a same-pod sidecar, so no TLS), closed with try-with-resources.
 */
final class Channels implements AutoCloseable {
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final ManagedChannel channel;

    private Channels(ManagedChannel channel) {
        this.channel = channel;
    }

    /** @param target {@code HOST:PORT}, or any gRPC target URI such as {@code dns:///host:port} */
    static Channels open(String target) {
        return new Channels(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build());
    }

    ManagedChannel channel() {
        return channel;
    }

    /** A blocking stub whose calls must finish within {@code deadline} of this call. */
    SteerServiceGrpc.SteerServiceBlockingStub blocking(Duration deadline) {
        return SteerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
