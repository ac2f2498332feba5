package io.steerd.engine;

/** Where a generation's tokens go as they are produced, and how it learns it should stop. */
public interface TokenSink {
  /** A token and the text released with it (see {@link StopMatcher}). */
  void token(int id, String text, float logprob);

  /** Called before each step; true ends the generation with {@link FinishReason#CANCELLED}. */
  boolean cancelled();
}
