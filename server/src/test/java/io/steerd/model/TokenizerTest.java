package io.steerd.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.SharedFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
  private static final int SPACE = 410; // tok512's " " piece, the dummy prefix

  private static Tokenizer tok512;
  private static Tokenizer llama2;
  private static List<String> stories;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    tok512 = Tokenizer.load(SharedFiles.stories260K().resolve("tok512.bin"), 512);
    llama2 = Tokenizer.load(
        SharedFiles.shared().resolve("models/llama2-tokenizer/tokenizer.bin"), 32000);
    stories = Files.readAllLines(
        SharedFiles.shared().resolve("data/tinystories/valid-sample.txt"), UTF_8);
  }

  @Test
  void onceUponATimeMergesIntoWordPieces() {
    int[] ids = tok512.encode("Once upon a time", true, false);
    assertArrayEquals(new int[] {1, 403, 407, 261, 378}, ids);
    assertEquals(" Once", tok512.piece(403));
    assertEquals(" upon", tok512.piece(407));
    assertEquals(" a", tok512.piece(261));
    assertEquals(" time", tok512.piece(378));
    assertEquals(-144f, tok512.score(403));
    assertArrayEquals(new int[] {1, 403, 407, 261, 378, 2}, tok512.encode("Once upon a time", true, true));
  }

  @Test
  void dummyPrefixIsTheSpacePieceAndOnlyForNonEmptyText() {
    assertEquals(" ", tok512.piece(SPACE));
    assertArrayEquals(new int[] {261}, tok512.encode("a", false, false)); // " " + "a" -> " a"
    assertArrayEquals(new int[] {SPACE, SPACE}, tok512.encode(" ", false, false)); // no "  " piece
    assertArrayEquals(new int[] {1}, tok512.encode("", true, false));
    assertArrayEquals(new int[0], tok512.encode("", false, false));
    assertEquals(" a", tok512.decode(new int[] {261}));
  }

  @Test
  void codepointsOutsideTheVocabularyFallBackToByteTokens() {
    // U+1F600 is F0 9F 98 80 in UTF-8; byte b is token b + 3.
    int[] ids = tok512.encode("😀", true, false);
    assertArrayEquals(new int[] {1, SPACE, 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3}, ids);
    assertEquals("<0xF0>", tok512.piece(243));
    assertEquals("😀", tok512.decode(ids));
    // tok512 does hold "é" as a piece of its own, so it needs no fallback.
    assertArrayEquals(new int[] {1, SPACE, 485}, tok512.encode("é", true, false));
    assertEquals("é", tok512.piece(485));
    assertEquals("a😀b", tok512.decode(tok512.encode("a😀b", true, false)));
  }

  @Test
  void pieceBytesStripsTheSpaceAfterBosAndDecodesBytePieces() {
    assertArrayEquals("Once".getBytes(UTF_8), tok512.pieceBytes(1, 403));
    assertArrayEquals(" Once".getBytes(UTF_8), tok512.pieceBytes(261, 403));
    assertArrayEquals(new byte[] {(byte) 0xF0}, tok512.pieceBytes(1, 243));
    assertArrayEquals(new byte[0], tok512.pieceBytes(403, 1));
    assertArrayEquals(new byte[0], tok512.pieceBytes(403, 2));
    assertEquals("\n<s>\n", tok512.piece(tok512.bos()));
    assertEquals("\n</s>\n", tok512.piece(tok512.eos()));
    assertEquals(1, tok512.bos());
    assertEquals(2, tok512.eos());
    assertEquals(512, tok512.vocabSize());
  }

  @Test
  void everyValidationStoryRoundTripsAndMatchesRunC() {
    assertEquals(19, stories.size());
    RunCEncoder runC = new RunCEncoder(tok512);
    for (String story : stories) {
      int[] ids = tok512.encode(story, true, false);
      assertArrayEquals(runC.encode(story, true, false), ids, story);
      // With only 512 pieces, merging still about halves the token count (0.44..0.55 here).
      assertTrue(ids.length < 0.6 * story.length(), "too few merges in " + story);
      assertEquals(story, tok512.decode(ids));
      assertEquals(story, tok512.decode(tok512.encode(story, true, true)));
      assertEquals(" " + story, tok512.decode(tok512.encode(story, false, false)));
    }
  }

  @Test
  void llama2VocabularyLoadsEncodesAndRoundTrips() {
    assertEquals(32000, llama2.vocabSize());
    assertEquals(" ", llama2.piece(29871));
    assertEquals(-1e9f, llama2.score(259)); // "  ": low, but above run.c's -1e10 merge floor
    // The ids SentencePiece gives the Llama 2 tokenizer for this text.
    assertArrayEquals(new int[] {1, 9038, 2501, 263, 931}, llama2.encode("Once upon a time", true, false));
    assertArrayEquals(new int[] {1, 15043, 29871, 3186}, llama2.encode("Hello  world", true, false));
    RunCEncoder runC = new RunCEncoder(llama2);
    for (String story : stories.subList(0, 4)) {
      assertArrayEquals(runC.encode(story, true, true), llama2.encode(story, true, true), story);
    }
    for (String story : stories) {
      assertEquals(story, llama2.decode(llama2.encode(story, true, false)));
    }
  }

  @Test
  void encodesTwoThousandCharactersWithTheLargeVocabularyFast() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 2000; i++) {
      text.append(stories.get(i)).append(" Grüße, 😀! ");
    }
    String s = text.toString();
    llama2.encode(s, true, false); // warm up the JIT
    int[] ids = assertTimeout(Duration.ofSeconds(1), () -> llama2.encode(s, true, false));
    assertEquals(s, llama2.decode(ids));
  }

  @Test
  void mergesTakeTheHighestScoreAndTheLeftmostPairOnTies() throws IOException {
    // Vocabulary: 259 base tokens, then " " 259, "a" 260, "b" 261, "c" 262, "ab" 263, "bc" 264.
    assertArrayEquals(new int[] {259, 263, 262}, synthetic(-1f, -2f).encode("abc", false, false));
    assertArrayEquals(new int[] {259, 260, 264}, synthetic(-2f, -1f).encode("abc", false, false));
    assertArrayEquals(new int[] {259, 263, 262}, synthetic(-1f, -1f).encode("abc", false, false));
    // run.c compares with '>', for which -0.0 and 0.0 tie: the left pair still wins.
    assertArrayEquals(new int[] {259, 263, 262}, synthetic(-0f, 0f).encode("abc", false, false));
    // Scores at run.c's initial best of -1e10 never merge.
    assertArrayEquals(new int[] {259, 260, 261, 262}, synthetic(-1e10f, -1e10f).encode("abc", false, false));
    assertArrayEquals(new int[] {259, 260, 264}, synthetic(-1e10f, -1e9f).encode("abc", false, false));
  }

  @Test
  void rejectsMalformedFilesPrecisely() throws IOException {
    Path real = SharedFiles.stories260K().resolve("tok512.bin");
    byte[] bytes = Files.readAllBytes(real);

    Path truncated = write("truncated.bin", Arrays.copyOf(bytes, bytes.length - 3));
    assertMessage(truncated, 512, "ends inside token 511 of 512");
    assertMessage(real, 300, "bytes left after 300 tokens");
    assertMessage(write("short.bin", new byte[] {7, 0}), 512, "too short");
    assertMessage(write("zero.bin", new byte[] {0, 0, 0, 0}), 512, "max_token_length is 0");

    ByteBuffer negative = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
    negative.putInt(8, -1); // token 0's length, after max_token_length and its score
    assertMessage(write("negative.bin", negative.array()), 512,
        "token 0 (offset 4) has length -1, outside 0..max_token_length 7");
    ByteBuffer tooLong = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
    tooLong.putInt(0, 4); // "<unk>" is 5 bytes
    assertMessage(write("long.bin", tooLong.array()), 512, "token 0 (offset 4) has length 5");

    byte[] noBytes = bytes.clone();
    int x = indexOf(noBytes, "<0x41>");
    noBytes[x + 4] = '2'; // <0x41> becomes <0x42>
    assertMessage(write("nobytes.bin", noBytes), 512, "token 68 is \"<0x42>\", but byte fallback needs <0x41>");

    assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(real, 258));
  }

  private void assertMessage(Path file, int vocabSize, String expected) {
    IOException e = assertThrows(IOException.class, () -> Tokenizer.load(file, vocabSize));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  private static int indexOf(byte[] haystack, String needle) {
    return new String(haystack, ISO_8859_1).indexOf(needle);
  }

  /** A vocabulary of the base tokens plus " ", "a", "b", "c" and "ab", "bc" scored as given. */
  private Tokenizer synthetic(float ab, float bc) throws IOException {
    List<String> pieces = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
    for (int b = 0; b < 256; b++) {
      pieces.add(String.format("<0x%02X>", b));
    }
    pieces.addAll(List.of(" ", "a", "b", "c", "ab", "bc"));
    float[] scores = new float[pieces.size()];
    Arrays.fill(scores, 259, 263, -100f);
    scores[263] = ab;
    scores[264] = bc;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(le(ByteBuffer.allocate(4)).putInt(6).array());
    for (int id = 0; id < pieces.size(); id++) {
      byte[] piece = pieces.get(id).getBytes(UTF_8);
      out.writeBytes(le(ByteBuffer.allocate(8)).putFloat(scores[id]).putInt(piece.length).array());
      out.writeBytes(piece);
    }
    return Tokenizer.load(write("synthetic.bin", out.toByteArray()), pieces.size());
  }

  private static ByteBuffer le(ByteBuffer b) {
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * run.c's encode transcribed as literally as Java allows, quadratic merge loop included, over
   * the tokenizer's public view of its vocabulary: the yardstick for the fast implementation.
   */
  private static final class RunCEncoder {
    private final Tokenizer t;
    private final Map<String, Integer> sorted = new HashMap<>();

    RunCEncoder(Tokenizer t) {
      this.t = t;
      for (int id = 0; id < t.vocabSize(); id++) {
        sorted.putIfAbsent(t.piece(id), id);
      }
    }

    int[] encode(String text, boolean bos, boolean eos) {
      List<Integer> tokens = new ArrayList<>();
      if (bos) {
        tokens.add(1);
      }
      if (!text.isEmpty()) {
        tokens.add(sorted.get(" "));
      }
      text.codePoints().forEach(cp -> {
        String c = new String(Character.toChars(cp));
        Integer id = sorted.get(c);
        if (id != null) {
          tokens.add(id);
        } else {
          for (byte b : c.getBytes(UTF_8)) {
            tokens.add((b & 0xFF) + 3);
          }
        }
      });
      while (true) {
        float bestScore = -1e10f;
        int bestId = -1;
        int bestIdx = -1;
        for (int i = 0; i < tokens.size() - 1; i++) {
          Integer id = sorted.get(t.piece(tokens.get(i)) + t.piece(tokens.get(i + 1)));
          if (id != null && t.score(id) > bestScore) {
            bestScore = t.score(id);
            bestId = id;
            bestIdx = i;
          }
        }
        if (bestIdx == -1) {
          break;
        }
        tokens.set(bestIdx, bestId);
        tokens.remove(bestIdx + 1);
      }
      if (eos) {
        tokens.add(2);
      }
      return tokens.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
