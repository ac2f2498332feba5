package io.steerd.client.sdk;

import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GeneratedToken;
import java.util.List;

/**
 * A whole Generate stream, collected.
 *
 * @param tokens every token streamed, in order
 * @param summary the stream's final message
 */
public record GenerateResult(List<GeneratedToken> tokens, GenerateSummary summary) {

    /** Copies the token list. */
    public GenerateResult {
        tokens = List.copyOf(tokens);
    }

    /** The generated text, stop sequence excluded. */
    public String text() {
        return summary.getText();
    }

    /** Why generation stopped. */
    public FinishReason finishReason() {
        return summary.getFinishReason();
    }
}
