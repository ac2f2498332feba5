package io.steerd.reference;

import io.steerd.model.LlamaWeights;
import io.steerd.model.ModelConfig;

/**
 * A direct port of llama2.c's forward() (run.c) over {@link LlamaWeights}, in float arithmetic as
 * run.c does it: the ground truth the ONNX graph is checked against. One instance is one sequence;
 * its KV cache fills as positions are fed in order.
 */
public final class ReferenceLlama {
  /** Edits the residual stream after a decoder block, in place: the steering hook. */
  public interface BlockEdit {
    void apply(int layer, float[] hiddenState);
  }

  private final LlamaWeights w;
  private final ModelConfig c;
  private final float[] x; // residual stream
  private final float[] xb;
  private final float[] xb2;
  private final float[] q;
  private final float[] hb;
  private final float[] hb2;
  private final float[] att;
  private final float[][] keyCache; // [layer][pos * kvDim]
  private final float[][] valueCache;
  private final float[][] hidden; // [layer][dim], x after block l and its edit
  private BlockEdit edit;

  public ReferenceLlama(LlamaWeights w) {
    this.w = w;
    this.c = w.config();
    int dim = c.dim();
    x = new float[dim];
    xb = new float[dim];
    xb2 = new float[dim];
    q = new float[dim];
    hb = new float[c.hiddenDim()];
    hb2 = new float[c.hiddenDim()];
    att = new float[c.contextLength()];
    keyCache = new float[c.numLayers()][c.contextLength() * c.kvDim()];
    valueCache = new float[c.numLayers()][c.contextLength() * c.kvDim()];
    hidden = new float[c.numLayers()][dim];
  }

  /** Sets the edit applied after every block from now on; null for none. */
  public void setEdit(BlockEdit edit) {
    this.edit = edit;
  }

  /** A copy of the residual stream after block {@code layer} (edited) in the last forward. */
  public float[] lastHidden(int layer) {
    return hidden[layer].clone();
  }

  /** Feeds {@code token} at {@code pos} (positions 0..pos-1 must have been fed) and returns logits. */
  public float[] forward(int token, int pos) {
    if (token < 0 || token >= c.vocabSize()) {
      throw new IllegalArgumentException("token " + token + " outside vocabulary of " + c.vocabSize());
    }
    if (pos < 0 || pos >= c.contextLength()) {
      throw new IllegalArgumentException("pos " + pos + " outside context of " + c.contextLength());
    }
    int dim = c.dim();
    int kvDim = c.kvDim();
    int headSize = c.headDim();
    int hiddenDim = c.hiddenDim();
    System.arraycopy(w.tokenEmbedding(), token * dim, x, 0, dim);

    for (int l = 0; l < c.numLayers(); l++) {
      rmsnorm(xb, x, w.attentionNorm()[l]);
      float[] kCache = keyCache[l];
      float[] vCache = valueCache[l];
      int kvOffset = pos * kvDim;
      matmul(q, 0, xb, w.wq()[l], dim, dim);
      matmul(kCache, kvOffset, xb, w.wk()[l], dim, kvDim);
      matmul(vCache, kvOffset, xb, w.wv()[l], dim, kvDim);

      // Rotary embedding on interleaved pairs (i, i+1); keys only span kvDim.
      for (int i = 0; i < dim; i += 2) {
        int headDim = i % headSize;
        float freq = 1.0f / (float) Math.pow(c.ropeTheta(), headDim / (float) headSize);
        float val = pos * freq;
        float fcr = (float) Math.cos(val);
        float fci = (float) Math.sin(val);
        rotate(q, i, fcr, fci);
        if (i < kvDim) {
          rotate(kCache, kvOffset + i, fcr, fci);
        }
      }

      // Grouped-query attention: query head h reads key/value head h / groupSize.
      for (int h = 0; h < c.numHeads(); h++) {
        int qOffset = h * headSize;
        int kvHead = (h / c.groupSize()) * headSize;
        for (int t = 0; t <= pos; t++) {
          int kOffset = t * kvDim + kvHead;
          float score = 0.0f;
          for (int i = 0; i < headSize; i++) {
            score += q[qOffset + i] * kCache[kOffset + i];
          }
          att[t] = score / (float) Math.sqrt(headSize);
        }
        softmax(att, pos + 1);
        for (int i = 0; i < headSize; i++) {
          xb[qOffset + i] = 0.0f;
        }
        for (int t = 0; t <= pos; t++) {
          int vOffset = t * kvDim + kvHead;
          float a = att[t];
          for (int i = 0; i < headSize; i++) {
            xb[qOffset + i] += a * vCache[vOffset + i];
          }
        }
      }
      matmul(xb2, 0, xb, w.wo()[l], dim, dim);
      for (int i = 0; i < dim; i++) {
        x[i] += xb2[i];
      }

      // SwiGLU feed-forward: w2(silu(w1 x) * w3 x).
      rmsnorm(xb, x, w.ffnNorm()[l]);
      matmul(hb, 0, xb, w.w1()[l], dim, hiddenDim);
      matmul(hb2, 0, xb, w.w3()[l], dim, hiddenDim);
      for (int i = 0; i < hiddenDim; i++) {
        float val = hb[i];
        val *= 1.0f / (1.0f + (float) Math.exp(-val));
        hb[i] = val * hb2[i];
      }
      matmul(xb, 0, hb, w.w2()[l], hiddenDim, dim);
      for (int i = 0; i < dim; i++) {
        x[i] += xb[i];
      }

      if (edit != null) {
        edit.apply(l, x);
      }
      System.arraycopy(x, 0, hidden[l], 0, dim);
    }

    // run.c normalises x in place here; hidden[] already holds the pre-norm copies.
    rmsnorm(x, x, w.finalNorm());
    float[] logits = new float[c.vocabSize()];
    matmul(logits, 0, x, w.classifier(), dim, c.vocabSize());
    return logits;
  }

  private void rmsnorm(float[] out, float[] in, float[] weight) {
    float ss = 0.0f;
    for (float v : in) {
      ss += v * v;
    }
    ss /= in.length;
    ss += c.normEps();
    ss = 1.0f / (float) Math.sqrt(ss);
    for (int j = 0; j < in.length; j++) {
      out[j] = weight[j] * (ss * in[j]);
    }
  }

  private static void rotate(float[] vec, int i, float fcr, float fci) {
    float v0 = vec[i];
    float v1 = vec[i + 1];
    vec[i] = v0 * fcr - v1 * fci;
    vec[i + 1] = v0 * fci + v1 * fcr;
  }

  private static void softmax(float[] v, int size) {
    float max = v[0];
    for (int i = 1; i < size; i++) {
      if (v[i] > max) {
        max = v[i];
      }
    }
    float sum = 0.0f;
    for (int i = 0; i < size; i++) {
      v[i] = (float) Math.exp(v[i] - max);
      sum += v[i];
    }
    for (int i = 0; i < size; i++) {
      v[i] /= sum;
    }
  }

  /** out[outOffset + i] = sum_j W[i][j] * in[j] for W row-major [d][n]. */
  private static void matmul(float[] out, int outOffset, float[] in, float[] weight, int n, int d) {
    for (int i = 0; i < d; i++) {
      float val = 0.0f;
      int row = i * n;
      for (int j = 0; j < n; j++) {
        val += weight[row + j] * in[j];
      }
      out[outOffset + i] = val;
    }
  }
}
