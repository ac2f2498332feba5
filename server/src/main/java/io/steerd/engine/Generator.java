package io.steerd.engine;

import ai.onnxruntime.OrtException;
import io.steerd.model.TokenTextDecoder;
import io.steerd.model.Tokenizer;
import io.steerd.steering.SteeringPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one generation to the end on a session: prefill the prompt, then one decode step per
 * token, with the request's edits on every position, streaming tokens to a sink. With a shadow,
 * a second batch row carries the same tokens unsteered, so both next-token distributions come
 * from one forward pass.
 */
public final class Generator {
  private static final int STEERED_ROW = 0;
  private static final int SHADOW_ROW = 1;

  private final DecoderSession session;
  private final Tokenizer tokenizer;

  public Generator(DecoderSession session, Tokenizer tokenizer) {
    this.session = session;
    this.tokenizer = tokenizer;
  }

  public GenerationResult run(GenerationRequest request, TokenSink sink) throws OrtException {
    int[] prompt = request.prompt();
    boolean steered = !request.plan().isIdentity();
    boolean shadowed = steered && request.shadow() != null;
    List<SteeringPlan> plans = steered ? List.of(request.plan()) : List.of();
    int[] editRows = shadowed ? new int[] {1, 0} : new int[] {steered ? 1 : 0};
    try (KvCache cache = session.newCache(editRows.length, prompt.length + request.maxTokens());
        EditTable edits = session.newEditTable(plans)) {
      Sampler sampler = new Sampler(request.sampling());
      TokenTextDecoder text = new TokenTextDecoder(tokenizer, prompt[prompt.length - 1]);
      StopMatcher stops = new StopMatcher(request.stop());
      ShadowStats shadow = shadowed ? new ShadowStats() : null;
      List<StopMatcher.Released> released = new ArrayList<>();
      StepOutput out = session.step(step(prompt, 0, editRows), cache, edits);
      int position = prompt.length;
      int generated = 0;
      FinishReason reason = FinishReason.LENGTH;
      while (true) {
        if (sink.cancelled()) {
          reason = FinishReason.CANCELLED;
          break;
        }
        float[] logits = out.logits(STEERED_ROW, 0);
        Sampler.Choice choice = sampler.next(logits);
        if (shadow != null) {
          shadow.observe(logits, out.logits(SHADOW_ROW, 0), request.shadow());
        }
        if (choice.token() == tokenizer.eos() || choice.token() == tokenizer.bos()) {
          reason = FinishReason.END_OF_SEQUENCE;
          break;
        }
        generated++;
        released.clear();
        stops.accept(choice.token(), text.next(choice.token()), choice.logprob(), released);
        emit(released, sink);
        if (stops.stopped()) {
          reason = FinishReason.STOP;
          break;
        }
        if (generated == request.maxTokens()) {
          break;
        }
        out = session.step(step(new int[] {choice.token()}, position, editRows), cache, edits);
        position++;
      }
      if (!stops.stopped()) {
        // Bytes of a character the model never finished are dropped, not shown as U+FFFD.
        released.clear();
        emit(stops.flush(released), sink);
      }
      return new GenerationResult(reason, prompt.length, generated, stops.text(), shadow);
    }
  }

  /** The same tokens on every row; each row keeps its own edit configuration. */
  private static StepInput step(int[] tokens, int pastLength, int[] editRows) {
    int rows = editRows.length;
    int[][] batch = new int[rows][];
    int[] past = new int[rows];
    int[][] outputs = new int[rows][];
    for (int r = 0; r < rows; r++) {
      batch[r] = tokens;
      past[r] = pastLength;
      outputs[r] = new int[] {tokens.length - 1};
    }
    return new StepInput(batch, past, outputs, editRows);
  }

  private static void emit(List<StopMatcher.Released> released, TokenSink sink) {
    for (StopMatcher.Released r : released) {
      sink.token(r.id(), r.text(), r.logprob());
    }
  }
}
