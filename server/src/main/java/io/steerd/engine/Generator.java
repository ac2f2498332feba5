package io.steerd.engine;

import ai.onnxruntime.OrtException;
import io.steerd.model.TokenTextDecoder;
import io.steerd.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one generation to the end on a session: prefill the prompt, then one decode step per
 * token, with the request's edits on every position, streaming tokens to a sink.
 */
public final class Generator {
  private final DecoderSession session;
  private final Tokenizer tokenizer;

  public Generator(DecoderSession session, Tokenizer tokenizer) {
    this.session = session;
    this.tokenizer = tokenizer;
  }

  public GenerationResult run(GenerationRequest request, TokenSink sink) throws OrtException {
    int[] prompt = request.prompt();
    List<io.steerd.steering.SteeringPlan> plans =
        request.plan().isIdentity() ? List.of() : List.of(request.plan());
    int editRow = plans.isEmpty() ? 0 : 1;
    try (KvCache cache = session.newCache(1, prompt.length + request.maxTokens());
        EditTable edits = session.newEditTable(plans)) {
      Sampler sampler = new Sampler(request.sampling());
      TokenTextDecoder text = new TokenTextDecoder(tokenizer, prompt[prompt.length - 1]);
      StopMatcher stops = new StopMatcher(request.stop());
      List<StopMatcher.Released> released = new ArrayList<>();
      StepOutput out = session.step(StepInput.single(prompt, 0, editRow), cache, edits);
      int position = prompt.length;
      int generated = 0;
      FinishReason reason = FinishReason.LENGTH;
      while (true) {
        if (sink.cancelled()) {
          reason = FinishReason.CANCELLED;
          break;
        }
        Sampler.Choice choice = sampler.next(out.logits(0, 0));
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
        out = session.step(StepInput.single(new int[] {choice.token()}, position, editRow), cache,
            edits);
        position++;
      }
      if (!stops.stopped()) {
        // Bytes of a character the model never finished are dropped, not shown as U+FFFD.
        released.clear();
        emit(stops.flush(released), sink);
      }
      return new GenerationResult(reason, prompt.length, generated, stops.text());
    }
  }

  private static void emit(List<StopMatcher.Released> released, TokenSink sink) {
    for (StopMatcher.Released r : released) {
      sink.token(r.id(), r.text(), r.logprob());
    }
  }
}
