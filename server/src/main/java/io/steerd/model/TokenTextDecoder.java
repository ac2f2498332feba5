package io.steerd.model;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;

/**
 * Turns a stream of tokens into text as it is generated. A character can span several
 * byte-fallback tokens, so bytes of an incomplete UTF-8 sequence are held back until it
 * completes; invalid bytes become U+FFFD. Feeding a whole sequence and then {@link #flush} gives
 * what {@link Tokenizer#decode} gives for it. Not thread-safe: one per stream.
 */
public final class TokenTextDecoder {
  private final Tokenizer tokenizer;
  private final CharsetDecoder utf8 = UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  /** Bytes not yet decoded, in write mode between calls. */
  private ByteBuffer pending = ByteBuffer.allocate(32);
  private int previous;

  /** A decoder for a stream with nothing before it. */
  public TokenTextDecoder(Tokenizer tokenizer) {
    this(tokenizer, Tokenizer.NO_TOKEN);
  }

  /**
   * A decoder for tokens that follow {@code previousToken}, typically a prompt's last token; after
   * BOS the first piece loses its leading space, as {@link Tokenizer#pieceBytes} decides.
   */
  public TokenTextDecoder(Tokenizer tokenizer, int previousToken) {
    this.tokenizer = tokenizer;
    this.previous = previousToken;
  }

  /** The text {@code token} completes; empty while a character is still incomplete. */
  public String next(int token) {
    byte[] bytes = tokenizer.pieceBytes(previous, token);
    previous = token;
    if (pending.remaining() < bytes.length) {
      ByteBuffer larger = ByteBuffer.allocate(2 * (pending.position() + bytes.length));
      pending.flip();
      larger.put(pending);
      pending = larger;
    }
    pending.put(bytes);
    return drain(false);
  }

  /** Ends the stream: any incomplete sequence held back comes out as U+FFFD. */
  public String flush() {
    String text = drain(true);
    utf8.reset();
    return text;
  }

  private String drain(boolean endOfInput) {
    pending.flip();
    // UTF-8 never decodes to more chars than it has bytes, replacement characters included.
    CharBuffer out = CharBuffer.allocate(pending.remaining());
    utf8.decode(pending, out, endOfInput);
    if (endOfInput) {
      utf8.flush(out);
    }
    pending.compact();
    return out.flip().toString();
  }
}
