package io.steerd.model;

/**
 * What the API needs to know about the served model once its weights are in the session: shape,
 * tokenizer, and where it came from. Holding this instead of the weights lets the Java copy of
 * them be collected.
 */
public record ModelCard(ModelConfig config, Tokenizer tokenizer, String source) {}
