package io.steerd.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads llama2.c's legacy checkpoint: seven little-endian int32s (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means an untied classifier
 * follows the weights), then float32 tensors in a fixed order.
 */
public final class Llama2cCheckpoint {
  private static final int HEADER_BYTES = 7 * Integer.BYTES;
  /** llama2.c's fixed RMSNorm epsilon and rotary base. */
  private static final float NORM_EPS = 1e-5f;
  private static final float ROPE_THETA = 10000f;

  private Llama2cCheckpoint() {}

  public static LlamaWeights load(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw new IOException(file + ": too short for a llama2.c checkpoint (" + size + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, header, 0);
      header.flip();
      int dim = header.getInt();
      int hiddenDim = header.getInt();
      int layers = header.getInt();
      int heads = header.getInt();
      int kvHeads = header.getInt();
      int vocab = header.getInt();
      int seqLen = header.getInt();
      boolean tied = vocab > 0;
      ModelConfig config;
      try {
        config = new ModelConfig(dim, hiddenDim, layers, heads, kvHeads, Math.abs(vocab), seqLen,
            NORM_EPS, ROPE_THETA, tied);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": not a llama2.c checkpoint: " + e.getMessage(), e);
      }
      long expected = HEADER_BYTES + 4L * floatCount(config);
      if (size != expected) {
        throw new IOException(String.format(
            "%s: %d bytes, but a llama2.c checkpoint of shape %s has %d",
            file, size, config, expected));
      }
      FloatBuffer floats = channel.map(FileChannel.MapMode.READ_ONLY, HEADER_BYTES, size - HEADER_BYTES)
          .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      return read(config, floats);
    }
  }

  private static LlamaWeights read(ModelConfig c, FloatBuffer in) {
    int d = c.dim();
    int kv = c.kvDim();
    int h = c.hiddenDim();
    int l = c.numLayers();
    float[] embedding = take(in, (long) c.vocabSize() * d);
    float[][] attNorm = takeLayers(in, l, d);
    float[][] wq = takeLayers(in, l, (long) d * d);
    float[][] wk = takeLayers(in, l, (long) kv * d);
    float[][] wv = takeLayers(in, l, (long) kv * d);
    float[][] wo = takeLayers(in, l, (long) d * d);
    float[][] ffnNorm = takeLayers(in, l, d);
    float[][] w1 = takeLayers(in, l, (long) h * d);
    float[][] w2 = takeLayers(in, l, (long) d * h);
    float[][] w3 = takeLayers(in, l, (long) h * d);
    float[] finalNorm = take(in, d);
    // The legacy format stores precomputed rotary tables (freq_cis_real, freq_cis_imag) here;
    // steerd computes the angles from the config instead.
    in.position(in.position() + ropeTableFloats(c));
    float[] classifier = c.tiedClassifier() ? embedding : take(in, (long) c.vocabSize() * d);
    return new LlamaWeights(c, embedding, attNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3, finalNorm,
        classifier);
  }

  private static long floatCount(ModelConfig c) {
    long d = c.dim();
    long perLayer = 2 * d + 2 * d * d + 2 * d * c.kvDim() + 3 * d * c.hiddenDim();
    long embeddings = (long) c.vocabSize() * d * (c.tiedClassifier() ? 1 : 2);
    return embeddings + c.numLayers() * perLayer + d + ropeTableFloats(c);
  }

  /** The two rotary tables of the legacy format: [seq_len][head_dim / 2] each. */
  private static int ropeTableFloats(ModelConfig c) {
    return c.contextLength() * c.headDim();
  }

  private static float[] take(FloatBuffer in, long count) {
    float[] out = new float[Math.toIntExact(count)];
    in.get(out);
    return out;
  }

  private static float[][] takeLayers(FloatBuffer in, int layers, long perLayer) {
    float[][] out = new float[layers][];
    for (int i = 0; i < layers; i++) {
      out[i] = take(in, perLayer);
    }
    return out;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
