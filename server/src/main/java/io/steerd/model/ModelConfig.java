package io.steerd.model;

/**
 * The shape of a Llama-family decoder: everything the graph builder needs, and nothing about the
 * file it came from, so other checkpoint formats plug in by producing one of these.
 *
 * @param dim residual stream width (hidden size)
 * @param hiddenDim MLP inner width
 * @param numLayers decoder blocks
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than numHeads)
 * @param vocabSize tokens in the vocabulary
 * @param contextLength maximum sequence length
 * @param normEps RMSNorm epsilon
 * @param ropeTheta rotary embedding base
 * @param tiedClassifier whether the classifier reuses the token embedding matrix
 */
public record ModelConfig(
    int dim,
    int hiddenDim,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int vocabSize,
    int contextLength,
    float normEps,
    float ropeTheta,
    boolean tiedClassifier) {

  public ModelConfig {
    require(dim > 0 && hiddenDim > 0 && numLayers > 0 && vocabSize > 0 && contextLength > 0,
        "dimensions must be positive");
    require(numHeads > 0 && dim % numHeads == 0, "dim must be a multiple of numHeads");
    require(numKvHeads > 0 && numHeads % numKvHeads == 0, "numHeads must be a multiple of numKvHeads");
    require((dim / numHeads) % 2 == 0, "head size must be even for rotary embeddings");
  }

  public int headDim() {
    return dim / numHeads;
  }

  public int kvDim() {
    return headDim() * numKvHeads;
  }

  /** Query heads that share one key/value head. */
  public int groupSize() {
    return numHeads / numKvHeads;
  }

  public long parameterCount() {
    long perLayer = 2L * dim + 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * hiddenDim;
    long embeddings = (long) vocabSize * dim * (tiedClassifier ? 1 : 2);
    return embeddings + numLayers * perLayer + dim;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid model config: " + message);
    }
  }
}
