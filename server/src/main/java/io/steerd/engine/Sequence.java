package io.steerd.engine;

import io.steerd.model.TokenTextDecoder;
import io.steerd.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One generation in the running batch: where its rows sit in the cache, how far it has got, and
 * what it does with each next-token distribution (sample, apply stop sequences, stream). A
 * shadowed sequence has a second row carrying the same tokens unsteered.
 */
final class Sequence {
  /** A cache row; its slot changes when the batch is compacted. */
  static final class Row {
    final Sequence sequence;
    final boolean shadow;
    int slot;

    Row(Sequence sequence, boolean shadow) {
      this.sequence = sequence;
      this.shadow = shadow;
    }
  }

  final GenerationRequest request;
  final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
  final Row steered;
  final Row shadowRow;
  private final TokenSink sink;
  private final Tokenizer tokenizer;
  private final Sampler sampler;
  private final TokenTextDecoder text;
  private final StopMatcher stops;
  private final ShadowStats shadow;
  private final List<StopMatcher.Released> released = new ArrayList<>();
  /** Tokens in the cache, and the last sampled token (the next step's input). */
  private int position;
  private int lastToken;
  private int generated;

  Sequence(GenerationRequest request, TokenSink sink, Tokenizer tokenizer) {
    this.request = request;
    this.sink = sink;
    this.tokenizer = tokenizer;
    this.sampler = new Sampler(request.sampling());
    int[] prompt = request.prompt();
    this.text = new TokenTextDecoder(tokenizer, prompt[prompt.length - 1]);
    this.stops = new StopMatcher(request.stop());
    boolean shadowed = request.shadow() != null && !request.plan().isIdentity();
    this.shadow = shadowed ? new ShadowStats() : null;
    this.steered = new Row(this, false);
    this.shadowRow = shadowed ? new Row(this, true) : null;
  }

  int rowCount() {
    return shadowRow == null ? 1 : 2;
  }

  boolean cancelled() {
    return sink.cancelled();
  }

  /** The tokens a row feeds the next step: the whole prompt first, then one token at a time. */
  int[] nextInput() {
    return position == 0 ? request.prompt() : new int[] {lastToken};
  }

  int position() {
    return position;
  }

  /**
   * Takes the next-token logits of the step that just ran (and the shadow row's); returns true
   * when the sequence has finished and its result is complete.
   */
  boolean advance(float[] logits, float logNormalizer, float[] shadowLogits) {
    position += position == 0 ? request.prompt().length : 1;
    Sampler.Choice choice = sampler.next(logits, logNormalizer);
    if (shadow != null) {
      shadow.observe(logits, shadowLogits, request.shadow());
    }
    boolean end = choice.token() == tokenizer.eos() || choice.token() == tokenizer.bos();
    if (end && !request.ignoreEos()) {
      return finish(FinishReason.END_OF_SEQUENCE);
    }
    generated++;
    lastToken = choice.token();
    released.clear();
    stops.accept(choice.token(), text.next(choice.token()), choice.logprob(), released);
    emit();
    if (stops.stopped()) {
      return finish(FinishReason.STOP);
    }
    return generated == request.maxTokens() && finish(FinishReason.LENGTH);
  }

  /** Ends the sequence; bytes of a character the model never finished are dropped. */
  boolean finish(FinishReason reason) {
    if (!stops.stopped() && reason != FinishReason.CANCELLED) {
      released.clear();
      stops.flush(released);
      emit();
    }
    result.complete(new GenerationResult(reason, request.prompt().length, generated,
        stops.text(), shadow));
    return true;
  }

  private void emit() {
    for (StopMatcher.Released r : released) {
      sink.token(r.id(), r.text(), r.logprob());
    }
  }
}
