package io.steerd.model;

/** A checkpoint and its tokenizer, read from disk, with where they came from. */
public record LoadedModel(LlamaWeights weights, Tokenizer tokenizer, String source) {
  public ModelConfig config() {
    return weights.config();
  }

  public ModelCard card() {
    return new ModelCard(config(), tokenizer, source);
  }
}
