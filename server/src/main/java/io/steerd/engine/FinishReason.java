package io.steerd.engine;

/** Why a generation ended. */
public enum FinishReason {
  LENGTH,
  STOP,
  END_OF_SEQUENCE,
  CANCELLED
}
