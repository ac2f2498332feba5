package io.steerd.engine;

import java.nio.FloatBuffer;

/**
 * Logits and edited hidden states for the positions a {@link StepInput} asked for, held as the
 * buffers ONNX Runtime's outputs were copied into; rows are copied out only when asked for.
 */
public final class StepOutput {
  private final FloatBuffer logits;
  private final FloatBuffer logNormalizers;
  private final FloatBuffer hidden;
  private final int outputsPerRow;
  private final int vocab;
  private final int layers;
  private final int dim;

  StepOutput(FloatBuffer logits, FloatBuffer logNormalizers, FloatBuffer hidden, int outputsPerRow,
      int vocab, int layers, int dim) {
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
    float[] out = new float[vocab];
    logits.get((row * outputsPerRow + r) * vocab, out);
    return out;
  }

  /** log(sum(exp(logits(row, r)))): a token's log-probability is its logit minus this. */
  public float logNormalizer(int row, int r) {
    return logNormalizers.get(row * outputsPerRow + r);
  }

  /** The edited residual stream at the output of block {@code layer}. */
  public float[] hidden(int row, int r, int layer) {
    float[] out = new float[dim];
    hidden.get(((row * outputsPerRow + r) * layers + layer) * dim, out);
    return out;
  }
}
