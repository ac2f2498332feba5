package io.steerd.model;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a llama2.c legacy checkpoint with seeded random weights of a given shape, so benchmarks
 * and tests can run models of realistic size that nobody has to download.
 */
public final class Llama2cCheckpointWriter {
  private Llama2cCheckpointWriter() {}

  /** Weights ~ N(0, 0.02^2), norms 1: the scale of a freshly initialised Llama. */
  public static void writeRandom(Path file, ModelConfig c, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
      ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(c.dim()).putInt(c.hiddenDim()).putInt(c.numLayers()).putInt(c.numHeads())
          .putInt(c.numKvHeads()).putInt(c.tiedClassifier() ? c.vocabSize() : -c.vocabSize())
          .putInt(c.contextLength());
      out.write(header.array());
      long d = c.dim();
      long layers = c.numLayers();
      gaussian(out, random, c.vocabSize() * d);
      ones(out, layers * d);
      gaussian(out, random, layers * d * d);
      gaussian(out, random, layers * c.kvDim() * d);
      gaussian(out, random, layers * c.kvDim() * d);
      gaussian(out, random, layers * d * d);
      ones(out, layers * d);
      gaussian(out, random, layers * c.hiddenDim() * d);
      gaussian(out, random, layers * d * c.hiddenDim());
      gaussian(out, random, layers * c.hiddenDim() * d);
      ones(out, d);
      // The legacy format's two rotary tables, which steerd recomputes and ignores.
      zeros(out, (long) c.contextLength() * c.headDim());
      if (!c.tiedClassifier()) {
        gaussian(out, random, c.vocabSize() * d);
      }
    }
  }

  private static void gaussian(DataOutputStream out, SplittableRandom random, long count)
      throws IOException {
    for (long i = 0; i < count; i += 2) {
      // Box-Muller: two normals per pair of uniforms.
      double u1 = 1 - random.nextDouble();
      double u2 = random.nextDouble();
      double radius = Math.sqrt(-2 * Math.log(u1)) * 0.02;
      writeFloat(out, (float) (radius * Math.cos(2 * Math.PI * u2)));
      if (i + 1 < count) {
        writeFloat(out, (float) (radius * Math.sin(2 * Math.PI * u2)));
      }
    }
  }

  private static void ones(DataOutputStream out, long count) throws IOException {
    for (long i = 0; i < count; i++) {
      writeFloat(out, 1f);
    }
  }

  private static void zeros(DataOutputStream out, long count) throws IOException {
    for (long i = 0; i < count; i++) {
      writeFloat(out, 0f);
    }
  }

  private static void writeFloat(DataOutputStream out, float v) throws IOException {
    out.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(v)));
  }
}
