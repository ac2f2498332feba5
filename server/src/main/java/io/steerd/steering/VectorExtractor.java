package io.steerd.steering;

import ai.onnxruntime.OrtException;
import io.steerd.engine.DecoderSession;
import io.steerd.engine.EditTable;
import io.steerd.engine.KvCache;
import io.steerd.engine.StepInput;
import io.steerd.engine.StepOutput;
import io.steerd.model.Tokenizer;
import java.util.List;

/**
 * Extracts a steering vector from contrastive prompt pairs by mean difference: per layer, the
 * mean unedited hidden state at the last prompt token of the positives minus that of the
 * negatives (the recipe of Turner et al.'s ActAdd and of repeng's mean-difference mode).
 */
public final class VectorExtractor {
  /** A prompt pair to contrast. */
  public record Pair(String positive, String negative) {}

  /** Per requested layer, the raw difference of means. */
  public record Result(int[] layers, float[][] values) {}

  private final Tokenizer tokenizer;

  public VectorExtractor(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public Result meanDifference(DecoderSession session, List<Pair> pairs, int[] layers)
      throws OrtException {
    int dim = session.config().dim();
    double[][] sum = new double[layers.length][dim];
    try (EditTable none = session.newEditTable(List.of())) {
      for (Pair pair : pairs) {
        accumulate(session, none, pair.positive(), layers, sum, 1.0);
        accumulate(session, none, pair.negative(), layers, sum, -1.0);
      }
    }
    float[][] values = new float[layers.length][dim];
    for (int i = 0; i < layers.length; i++) {
      for (int j = 0; j < dim; j++) {
        values[i][j] = (float) (sum[i][j] / pairs.size());
      }
    }
    return new Result(layers.clone(), values);
  }

  private void accumulate(DecoderSession session, EditTable none, String prompt, int[] layers,
      double[][] sum, double sign) throws OrtException {
    int[] tokens = tokenizer.encode(prompt, true, false);
    try (KvCache cache = session.newCache(1, tokens.length)) {
      StepOutput out = session.step(StepInput.single(tokens, 0, 0), cache, none);
      for (int i = 0; i < layers.length; i++) {
        float[] h = out.hidden(0, 0, layers[i]);
        for (int j = 0; j < h.length; j++) {
          sum[i][j] += sign * h[j];
        }
      }
    }
  }
}
