package io.steerd.api;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * Closes a call with the mapped status when its handler throws, so service methods validate by
 * throwing instead of repeating try/catch around every body.
 */
public final class ExceptionInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        guard(call, () -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        guard(call, super::onHalfClose);
      }
    };
  }

  private static void guard(ServerCall<?, ?> call, Runnable body) {
    try {
      body.run();
    } catch (RuntimeException e) {
      StatusRuntimeException status = StatusMapper.toStatus(e);
      call.close(status.getStatus(), status.getTrailers() != null ? status.getTrailers()
          : new Metadata());
    }
  }
}
