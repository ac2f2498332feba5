package io.steerd.client;

/** A user-facing failure (bad input file, ...): printed as {@code error: MESSAGE}, exit code 1. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
