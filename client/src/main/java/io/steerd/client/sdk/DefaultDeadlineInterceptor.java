package io.steerd.client.sdk;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.steerd.v1.SteerServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every call without a deadline a default one, so a hung server or network cannot block a
 * caller forever. A deadline the caller set, on the call or on the current {@link Context}, is
 * left alone: a default added on top would cut a longer deadline short, since gRPC applies the
 * earlier of the two.
 */
final class DefaultDeadlineInterceptor implements ClientInterceptor {

    private final Duration unary;
    private final Duration generate;
    private final Duration tradeoff;

    /** A null duration means no default deadline for those calls. */
    DefaultDeadlineInterceptor(Duration unary, Duration generate, Duration tradeoff) {
        this.unary = unary;
        this.generate = generate;
        this.tradeoff = tradeoff;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        Duration fallback = defaultFor(method);
        if (fallback != null && callOptions.getDeadline() == null && Context.current().getDeadline() == null) {
            callOptions = callOptions.withDeadlineAfter(Durations.nanos(fallback), TimeUnit.NANOSECONDS);
        }
        return next.newCall(method, callOptions);
    }

    private Duration defaultFor(MethodDescriptor<?, ?> method) {
        if (method.getFullMethodName().equals(SteerServiceGrpc.getGenerateMethod().getFullMethodName())) {
            return generate;
        }
        if (method.getFullMethodName().equals(SteerServiceGrpc.getMeasureTradeoffMethod().getFullMethodName())) {
            return tradeoff;
        }
        return method.getType() == MethodDescriptor.MethodType.UNARY ? unary : null;
    }
}
