package io.steerd.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.steerd.errors.SteerdException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where failures become gRPC statuses. */
public final class StatusMapper {
  private static final Logger LOG = Logger.getLogger(StatusMapper.class.getName());

  private StatusMapper() {}

  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable cause = unwrap(t);
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof SteerdException e) {
      return code(e.kind()).withDescription(e.getMessage()).asRuntimeException();
    }
    if (cause instanceof CancellationException) {
      return Status.CANCELLED.withDescription("request cancelled").asRuntimeException();
    }
    // Anything else is steerd's own fault: log it whole, tell the caller only what it was.
    LOG.log(Level.SEVERE, "internal error", cause);
    return Status.INTERNAL.withDescription(cause.getClass().getSimpleName() + ": "
        + cause.getMessage()).withCause(cause).asRuntimeException();
  }

  private static Status code(SteerdException.Kind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case ABORTED -> Status.ABORTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
    };
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
