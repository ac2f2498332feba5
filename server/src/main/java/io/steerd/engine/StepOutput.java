package io.steerd.engine;

/** Logits and edited hidden states for the positions a {@link StepInput} asked for. */
public final class StepOutput {
  private final float[] logits;
  private final float[] logNormalizers;
  private final float[] hidden;
  private final int outputsPerRow;
  private final int vocab;
  private final int layers;
  private final int dim;

  StepOutput(float[] logits, float[] logNormalizers, float[] hidden, int outputsPerRow, int vocab,
      int layers, int dim) {
    this.logits = logits;
    this.logNormalizers = logNormalizers;
    this.hidden = hidden;
    this.outputsPerRow = outputsPerRow;
    this.vocab = vocab;
    this.layers = layers;
    this.dim = dim;
  }

  /** Logits of row b's r-th requested position. */
  public float[] logits(int row, int r) {
    int from = (row * outputsPerRow + r) * vocab;
    return java.util.Arrays.copyOfRange(logits, from, from + vocab);
  }

  /** log(sum(exp(logits(row, r)))): a token's log-probability is its logit minus this. */
  public float logNormalizer(int row, int r) {
    return logNormalizers[row * outputsPerRow + r];
  }

  /** The edited residual stream at the output of block {@code layer}. */
  public float[] hidden(int row, int r, int layer) {
    int from = ((row * outputsPerRow + r) * layers + layer) * dim;
    return java.util.Arrays.copyOfRange(hidden, from, from + dim);
  }
}
