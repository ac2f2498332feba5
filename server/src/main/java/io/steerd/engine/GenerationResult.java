package io.steerd.engine;

/** How a generation ended, and what it produced. */
public record GenerationResult(
    FinishReason reason, int promptTokens, int generatedTokens, String text) {}
