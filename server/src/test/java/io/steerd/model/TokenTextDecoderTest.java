package io.steerd.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.steerd.SharedFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenTextDecoderTest {
  private static Tokenizer tok;

  @BeforeAll
  static void load() throws IOException {
    tok = Tokenizer.load(SharedFiles.stories260K().resolve("tok512.bin"), 512);
  }

  /** Byte b's fallback token. */
  private static int byteToken(int b) {
    return (b & 0xFF) + 3;
  }

  @Test
  void holdsBackIncompleteCharactersSplitIntoByteTokens() {
    String text = "naïve 😀 ok";
    TokenTextDecoder decoder = new TokenTextDecoder(tok);
    List<String> out = new ArrayList<>();
    for (byte b : text.getBytes(UTF_8)) {
      out.add(decoder.next(byteToken(b)));
    }
    assertEquals(List.of("n", "a", "", "ï", "v", "e", " ", "", "", "", "😀", " ", "o", "k"), out);
    assertEquals("", decoder.flush());
  }

  @Test
  void stripsTheDummySpaceAfterBos() {
    TokenTextDecoder decoder = new TokenTextDecoder(tok);
    assertEquals("", decoder.next(1));
    assertEquals("Once", decoder.next(403));
    assertEquals(" upon", decoder.next(407));

    TokenTextDecoder afterPrompt = new TokenTextDecoder(tok, 1);
    assertEquals("Once", afterPrompt.next(403));
  }

  @Test
  void invalidBytesBecomeReplacementCharacters() {
    TokenTextDecoder decoder = new TokenTextDecoder(tok);
    assertEquals("", decoder.next(byteToken(0xC3)));
    assertEquals("\uFFFDA", decoder.next(byteToken('A'))); // C3 needs a continuation byte
    assertEquals("\uFFFD", decoder.next(byteToken(0x80))); // a stray continuation byte
    assertEquals("", decoder.next(byteToken(0xF0)));
    assertEquals("", decoder.next(byteToken(0x9F)));
    assertEquals("\uFFFD", decoder.flush()); // the stream ended mid-character
    assertEquals("é", decoder.next(485)); // and the decoder is usable after a flush
  }

  @Test
  void agreesWithWholeSequenceDecodeOnRandomStreams() {
    Random random = new Random(42);
    for (int trial = 0; trial < 500; trial++) {
      int[] tokens = new int[1 + random.nextInt(20)];
      for (int i = 0; i < tokens.length; i++) {
        // Mostly raw bytes, so that valid, truncated and invalid UTF-8 all occur.
        tokens[i] = random.nextInt(4) == 0 ? random.nextInt(512) : byteToken(0x80 + random.nextInt(0x80));
      }
      TokenTextDecoder decoder = new TokenTextDecoder(tok);
      StringBuilder streamed = new StringBuilder();
      for (int token : tokens) {
        streamed.append(decoder.next(token));
      }
      streamed.append(decoder.flush());
      assertEquals(tok.decode(tokens), streamed.toString(), Arrays.toString(tokens));
    }
  }
}
