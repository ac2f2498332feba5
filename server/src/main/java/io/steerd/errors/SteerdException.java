package io.steerd.errors;

/**
 * A request steerd refuses, with the reason in terms a caller can act on. Domain code throws it
 * without knowing about gRPC; {@code io.steerd.api.StatusMapper} turns it into a status.
 */
public class SteerdException extends RuntimeException {
  /** What kind of refusal this is; each maps to one canonical gRPC code. */
  public enum Kind {
    INVALID_ARGUMENT,
    NOT_FOUND,
    ALREADY_EXISTS,
    RESOURCE_EXHAUSTED,
    ABORTED,
    UNAVAILABLE
  }

  private final Kind kind;

  public SteerdException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** INVALID_ARGUMENT whose message starts with the offending field's path. */
  public static SteerdException invalid(String field, String problem) {
    return new SteerdException(Kind.INVALID_ARGUMENT, field + ": " + problem);
  }

  public static SteerdException notFound(String what) {
    return new SteerdException(Kind.NOT_FOUND, what);
  }
}
