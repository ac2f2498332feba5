package io.steerd.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.steerd.metrics.SteerdMetrics;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counts every finished call by method and status code, client cancellations included. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final SteerdMetrics metrics;

  public MetricsInterceptor(SteerdMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    AtomicBoolean counted = new AtomicBoolean();
    ServerCall<Q, R> observed = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        record(method, status.getCode(), counted);
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(observed, headers)) {
      @Override
      public void onCancel() {
        // A call whose deadline passed is cancelled too; count it as what it was.
        Status cause = Contexts.statusFromCancelled(Context.current());
        record(method, cause == null ? Status.Code.CANCELLED : cause.getCode(), counted);
        super.onCancel();
      }
    };
  }

  private void record(String method, Status.Code code, AtomicBoolean counted) {
    if (counted.compareAndSet(false, true)) {
      metrics.requests.labels(method == null ? "unknown" : method, code.name()).inc();
    }
  }
}
