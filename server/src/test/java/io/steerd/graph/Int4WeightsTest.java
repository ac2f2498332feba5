package io.steerd.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.engine.Device;
import io.steerd.engine.EditTable;
import io.steerd.engine.EngineOptions;
import io.steerd.engine.KvCache;
import io.steerd.engine.DecoderSession;
import io.steerd.engine.StepInput;
import io.steerd.model.Llama2cCheckpoint;
import io.steerd.model.Llama2cCheckpointWriter;
import io.steerd.model.LlamaWeights;
import io.steerd.model.ModelConfig;
import io.steerd.reference.ReferenceLlama;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 4-bit weights: the packing, and the quantized graph against a reference on the same codes. */
class Int4WeightsTest {
  @TempDir Path dir;

  @Test
  void codesDecodeToWithinHalfAStepOfTheOriginal() {
    Random random = new Random(3);
    int rows = 5;
    int cols = 70; // not a multiple of the block: the last block is padded
    float[] m = new float[rows * cols];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) random.nextGaussian();
    }
    Int4Blocks q = Int4Blocks.quantize(m, rows, cols);
    assertEquals(3, q.blocksPerRow());
    assertEquals(rows * 3 * Int4Blocks.BLOB, q.packed().length);
    float[] back = dequantize(q, rows, cols);
    for (int i = 0; i < m.length; i++) {
      float scale = q.scales()[(i / cols) * 3 + (i % cols) / Int4Blocks.BLOCK];
      assertTrue(Math.abs(back[i] - m[i]) <= scale / 2 + 1e-6, "element " + i);
    }
    // Padding codes are the zero point, so they decode to exactly 0.
    int lastBlockByte = (0 * 3 + 2) * Int4Blocks.BLOB + (cols - 64) / 2 + 1;
    assertEquals(0x88, q.packed()[lastBlockByte] & 0xFF);
  }

  @Test
  void quantizedGraphMatchesTheReferenceRunOnTheDecodedWeights() throws Exception {
    ModelConfig shape = new ModelConfig(64, 96, 2, 4, 4, 256, 64, 1e-5f, 10000f, true);
    Path file = dir.resolve("random.bin");
    Llama2cCheckpointWriter.writeRandom(file, shape, 9);
    LlamaWeights w = Llama2cCheckpoint.load(file);
    for (DecoderGraph.Attention attention : DecoderGraph.Attention.values()) {
      try (DecoderSession session = DecoderSession.open(w, Device.CPU,
              new EngineOptions(1, false, DecoderGraph.Weights.INT4), attention);
          KvCache cache = session.newCache(1, 40);
          EditTable none = session.newEditTable(List.of())) {
        ReferenceLlama reference = new ReferenceLlama(decoded(w));
        float worst = 0;
        int token = 1;
        for (int pos = 0; pos < 40; pos++) {
          float[] expected = reference.forward(token, pos);
          float[] actual = session.step(StepInput.single(new int[] {token}, pos, 0), cache, none)
              .logits(0, 0);
          for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
          }
          token = (token * 31 + 7) % shape.vocabSize();
        }
        assertTrue(worst < 1e-4, attention + ": largest logit difference " + worst);
      }
    }
  }

  /** The weights the INT4 graph actually multiplies by: every projection through its codes. */
  private static LlamaWeights decoded(LlamaWeights w) {
    ModelConfig c = w.config();
    int layers = c.numLayers();
    float[][] wq = new float[layers][];
    float[][] wk = new float[layers][];
    float[][] wv = new float[layers][];
    float[][] wo = new float[layers][];
    float[][] w1 = new float[layers][];
    float[][] w2 = new float[layers][];
    float[][] w3 = new float[layers][];
    for (int l = 0; l < layers; l++) {
      wq[l] = roundTrip(w.wq()[l], c.dim(), c.dim());
      wk[l] = roundTrip(w.wk()[l], c.kvDim(), c.dim());
      wv[l] = roundTrip(w.wv()[l], c.kvDim(), c.dim());
      wo[l] = roundTrip(w.wo()[l], c.dim(), c.dim());
      w1[l] = roundTrip(w.w1()[l], c.hiddenDim(), c.dim());
      w2[l] = roundTrip(w.w2()[l], c.dim(), c.hiddenDim());
      w3[l] = roundTrip(w.w3()[l], c.hiddenDim(), c.dim());
    }
    return new LlamaWeights(c, w.tokenEmbedding(), w.attentionNorm(), wq, wk, wv, wo, w.ffnNorm(),
        w1, w2, w3, w.finalNorm(), roundTrip(w.classifier(), c.vocabSize(), c.dim()));
  }

  private static float[] roundTrip(float[] m, int rows, int cols) {
    return dequantize(Int4Blocks.quantize(m, rows, cols), rows, cols);
  }

  /** Written from MatMulNBits' definition, independently of the quantizer. */
  private static float[] dequantize(Int4Blocks q, int rows, int cols) {
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int block = c / Int4Blocks.BLOCK;
        int within = c % Int4Blocks.BLOCK;
        int packed = q.packed()[(r * q.blocksPerRow() + block) * Int4Blocks.BLOB + within / 2] & 0xFF;
        int code = within % 2 == 0 ? packed & 0x0F : packed >> 4;
        out[r * cols + c] = (code - 8) * q.scales()[r * q.blocksPerRow() + block];
      }
    }
    return out;
  }
}
