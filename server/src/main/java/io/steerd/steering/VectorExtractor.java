package io.steerd.steering;

import ai.onnxruntime.OrtException;
import io.steerd.engine.DecoderSession;
import io.steerd.engine.EditTable;
import io.steerd.engine.KvCache;
import io.steerd.engine.StepInput;
import io.steerd.engine.StepOutput;
import io.steerd.model.Tokenizer;
import java.util.List;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;

/**
 * Extracts a steering vector from contrastive prompt pairs, from the unedited hidden states at
 * each prompt's last token. MEAN_DIFFERENCE is the mean of positive minus negative (ActAdd,
 * repeng's mean mode); PCA is the first principal component of those paired differences about
 * their mean (RepE, repeng's pca_diff), signed so positives project higher.
 */
public final class VectorExtractor {
  /** A prompt pair to contrast. */
  public record Pair(String positive, String negative) {}

  /** How the paired differences become one direction per layer. */
  public enum Method {
    MEAN_DIFFERENCE,
    PCA
  }

  /**
   * Per requested layer, the vector; for PCA also the share of the differences' variance along
   * it (NaN for mean difference).
   */
  public record Result(int[] layers, float[][] values, double[] explainedVariance) {}

  private final Tokenizer tokenizer;

  public VectorExtractor(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public Result extract(DecoderSession session, List<Pair> pairs, int[] layers, Method method)
      throws OrtException {
    int dim = session.config().dim();
    double[][][] differences = new double[layers.length][pairs.size()][dim];
    try (EditTable none = session.newEditTable(List.of())) {
      for (int p = 0; p < pairs.size(); p++) {
        float[][] positive = lastTokenStates(session, none, pairs.get(p).positive(), layers);
        float[][] negative = lastTokenStates(session, none, pairs.get(p).negative(), layers);
        for (int i = 0; i < layers.length; i++) {
          for (int j = 0; j < dim; j++) {
            differences[i][p][j] = (double) positive[i][j] - negative[i][j];
          }
        }
      }
    }
    float[][] values = new float[layers.length][];
    double[] explained = new double[layers.length];
    for (int i = 0; i < layers.length; i++) {
      double[] mean = mean(differences[i]);
      if (method == Method.MEAN_DIFFERENCE) {
        values[i] = toFloat(mean);
        explained[i] = Double.NaN;
      } else {
        PrincipalComponent pc = firstComponent(differences[i], mean);
        // Positives project higher: the mean difference must have a positive projection.
        double sign = dot(pc.direction(), mean) < 0 ? -1 : 1;
        for (int j = 0; j < dim; j++) {
          pc.direction()[j] *= sign;
        }
        values[i] = toFloat(pc.direction());
        explained[i] = pc.explainedVariance();
      }
    }
    return new Result(layers.clone(), values, explained);
  }

  private float[][] lastTokenStates(DecoderSession session, EditTable none, String prompt,
      int[] layers) throws OrtException {
    int[] tokens = tokenizer.encode(prompt, true, false);
    try (KvCache cache = session.newCache(1, tokens.length)) {
      StepOutput out = session.step(StepInput.single(tokens, 0, 0), cache, none);
      float[][] states = new float[layers.length][];
      for (int i = 0; i < layers.length; i++) {
        states[i] = out.hidden(0, 0, layers[i]);
      }
      return states;
    }
  }

  record PrincipalComponent(double[] direction, double explainedVariance) {}

  /**
   * The first right singular vector of the rows centred on {@code mean}, i.e. the top eigenvector
   * of their scatter matrix, and its share sigma_1^2 / sum sigma_i^2 of the variance. A
   * decomposition rather than power iteration: with few pairs the top two variances can be close,
   * where iterating converges too slowly to trust.
   */
  static PrincipalComponent firstComponent(double[][] rows, double[] mean) {
    double[][] centred = new double[rows.length][mean.length];
    double total = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int j = 0; j < mean.length; j++) {
        centred[r][j] = rows[r][j] - mean[j];
        total += centred[r][j] * centred[r][j];
      }
    }
    if (total == 0) {
      // No variance at all: any direction is as good; keep the mean's.
      double[] v = mean.clone();
      if (norm(v) == 0) {
        v[0] = 1;
      }
      scale(v, 1 / norm(v));
      return new PrincipalComponent(v, 0);
    }
    SingularValueDecomposition svd =
        new SingularValueDecomposition(new Array2DRowRealMatrix(centred, false));
    double first = svd.getSingularValues()[0];
    return new PrincipalComponent(svd.getV().getColumn(0), first * first / total);
  }

  private static double[] mean(double[][] rows) {
    double[] m = new double[rows[0].length];
    for (double[] row : rows) {
      for (int j = 0; j < m.length; j++) {
        m[j] += row[j] / rows.length;
      }
    }
    return m;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] v) {
    return Math.sqrt(dot(v, v));
  }

  private static void scale(double[] v, double factor) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
