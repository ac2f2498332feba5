package io.steerd.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.SharedFiles;
import io.steerd.model.Llama2cCheckpoint;
import io.steerd.model.LlamaWeights;
import io.steerd.model.Tokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReferenceLlamaTest {
  /** The model authors' documented greedy continuation of BOS (shared/README.md). */
  private static final String STORY = "Once upon a time, there was a little girl named Lily. She"
      + " loved to play outside in the park. One day, she saw a big, red ball. She wanted to play"
      + " with it, but it was too high.";

  private static LlamaWeights weights;
  private static Tokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    weights = Llama2cCheckpoint.load(SharedFiles.stories260K().resolve("stories260K.bin"));
    tokenizer = Tokenizer.load(SharedFiles.stories260K().resolve("tok512.bin"),
        weights.config().vocabSize());
  }

  @Test
  void greedyDecodingFromBosTellsTheDocumentedStory() {
    ReferenceLlama model = new ReferenceLlama(weights);
    List<Integer> tokens = new ArrayList<>(List.of(tokenizer.bos()));
    for (int pos = 0; pos + 1 < weights.config().contextLength(); pos++) {
      int next = argmax(model.forward(tokens.get(pos), pos));
      if (next == tokenizer.bos() || next == tokenizer.eos()) {
        break;
      }
      tokens.add(next);
    }
    String text = tokenizer.decode(tokens.stream().mapToInt(Integer::intValue).toArray());
    assertTrue(text.startsWith(STORY), text);
  }

  @Test
  void editHookRunsAfterEveryBlockAndSteersTheResidualStream() {
    ReferenceLlama plain = new ReferenceLlama(weights);
    float[] plainLogits = plain.forward(1, 0);

    ReferenceLlama observed = new ReferenceLlama(weights);
    List<Integer> layers = new ArrayList<>();
    observed.setEdit((layer, h) -> layers.add(layer));
    assertArrayEquals(plainLogits, observed.forward(1, 0));
    assertEquals(List.of(0, 1, 2, 3, 4), layers);

    float[] delta = new float[weights.config().dim()];
    Arrays.fill(delta, 0.5f);
    ReferenceLlama steered = new ReferenceLlama(weights);
    steered.setEdit((layer, h) -> {
      if (layer == 2) {
        for (int i = 0; i < h.length; i++) {
          h[i] += delta[i];
        }
      }
    });
    float[] steeredLogits = steered.forward(1, 0);
    assertArrayEquals(plain.lastHidden(1), steered.lastHidden(1));
    float[] expected = plain.lastHidden(2);
    for (int i = 0; i < expected.length; i++) {
      expected[i] += delta[i];
    }
    assertArrayEquals(expected, steered.lastHidden(2));
    assertFalse(Arrays.equals(plain.lastHidden(3), steered.lastHidden(3)));
    assertFalse(Arrays.equals(plainLogits, steeredLogits));
  }

  @Test
  void rejectsPositionsAndTokensOutsideTheModel() {
    ReferenceLlama model = new ReferenceLlama(weights);
    assertThrows(IllegalArgumentException.class, () -> model.forward(1, weights.config().contextLength()));
    assertThrows(IllegalArgumentException.class, () -> model.forward(512, 0));
  }

  /** The first highest logit, as llama2.c's sample_argmax picks it. */
  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
