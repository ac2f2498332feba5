package io.steerd.engine;

/**
 * How a generation ended, and what it produced.
 *
 * @param shadow the steered-vs-unsteered comparison, or null when none was asked for
 */
public record GenerationResult(FinishReason reason, int promptTokens, int generatedTokens,
    String text, ShadowStats shadow) {}
