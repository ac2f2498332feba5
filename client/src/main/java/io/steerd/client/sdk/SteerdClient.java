package io.steerd.client.sdk;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.steerd.v1.ContinuationScore;
import io.steerd.v1.DeleteVectorRequest;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GetModelInfoRequest;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.ScoreRequest;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.SteerServiceGrpc.SteerServiceBlockingStub;
import io.steerd.v1.Token;
import io.steerd.v1.TokenizeRequest;
import io.steerd.v1.Vector;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A client of steerd's {@code steerd.v1.SteerService} and its gRPC health service.
 *
 * <pre>{@code
 * try (SteerdClient client = SteerdClient.forTarget("localhost:50051").build()) {
 *     GenerateResult result = client.generate(GenerateRequest.newBuilder()
 *             .setPrompt("Once upon a time").setMaxTokens(60)
 *             .addEdits(Edits.add("happy").layers(2).coefficient(4).unitNorm().build())
 *             .build());
 * }
 * }</pre>
 *
 * <p>Every call gets a default deadline unless the caller set one (see {@link Builder}), and calls
 * that fail with UNAVAILABLE are retried with exponential backoff ({@link RetryPolicy}). Failed
 * calls throw {@link io.grpc.StatusRuntimeException} with the server's status code.
 *
 * <p>Thread-safe; one client per server is enough for a whole application. {@link #async()} gives
 * the same calls as futures and callbacks.
 */
public final class SteerdClient implements AutoCloseable {

    /** Default deadline of unary calls. */
    public static final Duration DEFAULT_UNARY_DEADLINE = Duration.ofSeconds(30);
    /** Default deadline of Generate: long enough for a full context on a CPU. */
    public static final Duration DEFAULT_GENERATE_DEADLINE = Duration.ofMinutes(10);
    /** Default deadline of MeasureTradeoff: a sweep scores every probe at every point. */
    public static final Duration DEFAULT_TRADEOFF_DEADLINE = Duration.ofMinutes(30);

    private static final long CLOSE_GRACE_SECONDS = 5;

    /** Null for a wrapped channel and for views, which do not own their channel. */
    private final ManagedChannel owned;
    private final Channel channel;
    private final Deadline deadline;
    private final SteerServiceBlockingStub steer;
    private final HealthGrpc.HealthBlockingStub health;

    private SteerdClient(ManagedChannel owned, Channel channel, Deadline deadline) {
        this.owned = owned;
        this.channel = channel;
        this.deadline = deadline;
        SteerServiceBlockingStub steer = SteerServiceGrpc.newBlockingStub(channel);
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        this.steer = deadline == null ? steer : steer.withDeadline(deadline);
        this.health = deadline == null ? health : health.withDeadline(deadline);
    }

    /** A plaintext client of {@code target} ({@code HOST:PORT} or a gRPC target URI such as {@code dns:///host:port}). */
    public static Builder forTarget(String target) {
        return forTarget(Objects.requireNonNull(target, "target"), InsecureChannelCredentials.create());
    }

    /** A client of {@code target} with the given credentials, e.g. {@code TlsChannelCredentials.create()}. */
    public static Builder forTarget(String target, ChannelCredentials credentials) {
        return new Builder(Grpc.newChannelBuilder(
                Objects.requireNonNull(target, "target"), Objects.requireNonNull(credentials, "credentials")), null);
    }

    /**
     * A client over a channel built from {@code channelBuilder} (another transport, custom
     * executors...). The client adds its deadlines and retry policy, builds the channel and owns it.
     *
     * <p>The retry policy is applied as the builder's default service config: unless the policy
     * is {@link RetryPolicy#none()}, {@code build()} calls {@code defaultServiceConfig} (replacing
     * any service config you set on {@code channelBuilder}, e.g. for load balancing),
     * {@code enableRetry()} and {@code maxRetryAttempts}; with {@code none()} it calls
     * {@code disableRetry()} and leaves your service config alone. To keep a service config of
     * your own together with retries, put the retry policy in it, build the channel yourself and
     * use {@link #wrap}.
     */
    public static Builder forChannelBuilder(ManagedChannelBuilder<?> channelBuilder) {
        return new Builder(Objects.requireNonNull(channelBuilder, "channelBuilder"), null);
    }

    /**
     * A client over a channel the caller owns and closes. Default deadlines apply; retries are
     * whatever the channel was built with, since a retry policy is part of a channel's config.
     */
    public static Builder wrap(Channel channel) {
        return new Builder(null, Objects.requireNonNull(channel, "channel"));
    }

    /**
     * A view of this client whose calls share one deadline, {@code timeout} from now, instead of
     * the defaults: for an operation of several calls with one time budget. The view shares this
     * client's channel; closing the view does nothing.
     *
     * @throws IllegalArgumentException when {@code timeout} is zero or negative, as for the
     *     builder's deadlines
     */
    public SteerdClient withDeadlineAfter(Duration timeout) {
        Durations.requirePositive(timeout, "timeout");
        return withDeadline(Deadline.after(Durations.nanos(timeout), TimeUnit.NANOSECONDS));
    }

    /** As {@link #withDeadlineAfter}, with an absolute deadline. */
    public SteerdClient withDeadline(Deadline deadline) {
        return new SteerdClient(null, channel, Objects.requireNonNull(deadline, "deadline"));
    }

    /** The same calls returning futures, and Generate with a callback. Shares this client's channel. */
    public AsyncSteerdClient async() {
        return new AsyncSteerdClient(channel, deadline);
    }

    /**
     * The channel with the builder's default deadlines (and, unless wrapped, its retry policy)
     * applied, for stubs of your own (other services on the same server, or calls this class does
     * not wrap). For a {@link #withDeadline}/{@link #withDeadlineAfter} view it is the same channel
     * as the client's: the view's deadline is not on it, so set it on your stub
     * ({@code stub.withDeadline(...)}) or on the current {@link io.grpc.Context}.
     */
    public Channel channel() {
        return channel;
    }

    // ---- vectors ---------------------------------------------------------------

    /** Stores {@code vector} under its id, replacing any vector with that id; returns it as stored. */
    public Vector putVector(Vector vector) {
        return steer.putVector(PutVectorRequest.newBuilder().setVector(vector).build());
    }

    /** @throws io.grpc.StatusRuntimeException NOT_FOUND when there is no such vector */
    public Vector getVector(String id) {
        return steer.getVector(GetVectorRequest.newBuilder().setId(id).build());
    }

    /** Every stored vector, sorted by id; with {@code omitValues}, without per-layer values. */
    public List<Vector> listVectors(boolean omitValues) {
        return steer.listVectors(ListVectorsRequest.newBuilder().setOmitValues(omitValues).build()).getVectorsList();
    }

    /**
     * Deletes a vector. A retried attempt may find it already deleted by the attempt before and
     * fail with NOT_FOUND.
     *
     * @throws io.grpc.StatusRuntimeException NOT_FOUND when there is no such vector
     */
    public void deleteVector(String id) {
        steer.deleteVector(DeleteVectorRequest.newBuilder().setId(id).build());
    }

    /**
     * Computes a vector from contrastive pairs on the served model and stores it; returns it
     * with its provenance.
     */
    public Vector extractVector(ExtractVectorRequest request) {
        return steer.extractVector(request);
    }

    // ---- model -----------------------------------------------------------------

    /** Teacher-forced log-probabilities of continuations, one score per item in order. */
    public List<ContinuationScore> score(ScoreRequest request) {
        return steer.score(request).getScoresList();
    }

    /** The served model. */
    public ModelInfo getModelInfo() {
        return steer.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    }

    /** {@code text} in the served model's tokens; with {@code addBos}, BOS first (as Generate does). */
    public List<Token> tokenize(String text, boolean addBos) {
        return steer.tokenize(TokenizeRequest.newBuilder().setText(text).setAddBos(addBos).build()).getTokensList();
    }

    // ---- generation ------------------------------------------------------------

    /** Generates and waits for the whole text. */
    public GenerateResult generate(GenerateRequest request) {
        GenerateCollector collector = new GenerateCollector();
        try (ResponseStream<GenerateResponse> stream = generateStream(request)) {
            stream.forEachRemaining(collector::accept);
        }
        return collector.result();
    }

    /**
     * Generates, yielding one response per token as it is produced and then the summary. Close
     * the stream to stop generation early.
     */
    public ResponseStream<GenerateResponse> generateStream(GenerateRequest request) {
        return ResponseStream.start(() -> steer.generate(request));
    }

    /**
     * Sweeps a vector's norm over probe sets: one progress message per sweep point, then the
     * report. Close the stream to stop the sweep early.
     */
    public ResponseStream<MeasureTradeoffResponse> measureTradeoff(MeasureTradeoffRequest request) {
        return ResponseStream.start(() -> steer.measureTradeoff(request));
    }

    // ---- health ----------------------------------------------------------------

    /** The server's overall status from the gRPC health service ({@code grpc.health.v1.Health/Check}). */
    public ServingStatus health() {
        return health("");
    }

    /**
     * The status of one service on the server, e.g. {@code steerd.v1.SteerService}.
     *
     * @throws io.grpc.StatusRuntimeException NOT_FOUND when the server does not know the service
     */
    public ServingStatus health(String service) {
        return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    /**
     * Closes the channel this client owns, waiting briefly for calls in flight, then cancelling
     * them. Does nothing for a wrapped channel or a view.
     */
    @Override
    public void close() {
        if (owned == null) {
            return;
        }
        owned.shutdown();
        try {
            if (!owned.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                owned.shutdownNow();
            }
        } catch (InterruptedException e) {
            owned.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Settings of a {@link SteerdClient}. Deadlines apply to calls that have none of their own (on
     * the call or the current {@link io.grpc.Context}); a null deadline means none for those calls.
     */
    public static final class Builder {
        private final ManagedChannelBuilder<?> channelBuilder;
        private final Channel wrapped;
        private Duration unaryDeadline = DEFAULT_UNARY_DEADLINE;
        private Duration generateDeadline = DEFAULT_GENERATE_DEADLINE;
        private Duration tradeoffDeadline = DEFAULT_TRADEOFF_DEADLINE;
        private RetryPolicy retryPolicy;

        private Builder(ManagedChannelBuilder<?> channelBuilder, Channel wrapped) {
            this.channelBuilder = channelBuilder;
            this.wrapped = wrapped;
        }

        /** Default deadline of unary calls (all but Generate and MeasureTradeoff); null for none. */
        public Builder unaryDeadline(Duration deadline) {
            unaryDeadline = Durations.requirePositiveOrNull(deadline, "unaryDeadline");
            return this;
        }

        /** Default deadline of Generate streams; null for none. */
        public Builder generateDeadline(Duration deadline) {
            generateDeadline = Durations.requirePositiveOrNull(deadline, "generateDeadline");
            return this;
        }

        /** Default deadline of MeasureTradeoff streams; null for none. */
        public Builder tradeoffDeadline(Duration deadline) {
            tradeoffDeadline = Durations.requirePositiveOrNull(deadline, "tradeoffDeadline");
            return this;
        }

        /**
         * How UNAVAILABLE failures are retried. Default {@link RetryPolicy#defaults()}. It becomes
         * the channel's default service config, replacing one set on a builder passed to
         * {@link SteerdClient#forChannelBuilder} (see there).
         */
        public Builder retryPolicy(RetryPolicy policy) {
            retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Builds the client (and its channel, unless wrapping one).
         *
         * @throws IllegalStateException when a retry policy was set for a wrapped channel
         */
        public SteerdClient build() {
            DefaultDeadlineInterceptor deadlines =
                    new DefaultDeadlineInterceptor(unaryDeadline, generateDeadline, tradeoffDeadline);
            if (wrapped != null) {
                if (retryPolicy != null) {
                    throw new IllegalStateException("a wrapped channel keeps its own retry settings; "
                            + "use forTarget or forChannelBuilder to set a retry policy");
                }
                return new SteerdClient(null, ClientInterceptors.intercept(wrapped, deadlines), null);
            }
            RetryPolicy policy = retryPolicy != null ? retryPolicy : RetryPolicy.defaults();
            if (policy.retries()) {
                channelBuilder.defaultServiceConfig(policy.serviceConfig())
                        .enableRetry()
                        // grpc-java caps attempts at 5 unless told otherwise.
                        .maxRetryAttempts(policy.maxAttempts());
            } else {
                channelBuilder.disableRetry();
            }
            // Interceptors run above the retry machinery, so one deadline bounds all attempts.
            ManagedChannel managed = channelBuilder.intercept(deadlines).build();
            return new SteerdClient(managed, managed, null);
        }
    }
}
