package io.steerd.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * llama2.c's SentencePiece-BPE tokenizer (run.c: build_tokenizer, encode, decode), read from its
 * tokenizer.bin format.
 *
 * <p>Pieces are raw bytes. They are kept as ISO-8859-1 strings, one char per byte, so lookups
 * and concatenations work on bytes exactly as run.c's C strings do, whatever the bytes are.
 */
public final class Tokenizer {
  private static final int BOS = 1;
  private static final int EOS = 2;
  /** Ids 0..2 are {@code <unk>}, BOS and EOS; byte b's fallback piece {@code <0xNN>} is id b + 3. */
  private static final int BYTE_OFFSET = 3;
  private static final int MIN_VOCAB = BYTE_OFFSET + 256;
  /** run.c's merge loop starts from this best score with a strict {@code >}, so lower never merge. */
  private static final float MERGE_FLOOR = -1e10f;
  /** A previous token that is none of the vocabulary's, for decoding with nothing before. */
  static final int NO_TOKEN = -1;

  private final String[] pieces;
  private final float[] scores;
  private final Map<String, Integer> ids;

  private Tokenizer(String[] pieces, float[] scores) {
    this.pieces = pieces;
    this.scores = scores;
    this.ids = new HashMap<>(pieces.length * 2);
    // run.c binary-searches a sorted copy, so which of two equal pieces wins is unspecified there;
    // the real vocabularies have none, and keeping the lowest id is at least deterministic.
    for (int id = 0; id < pieces.length; id++) {
      ids.putIfAbsent(pieces[id], id);
    }
  }

  /**
   * Reads a llama2.c tokenizer.bin: little-endian int32 max_token_length, then per token a
   * float32 score, an int32 byte length and the bytes.
   *
   * <p>Stricter than run.c where run.c would misbehave: every length must lie within
   * max_token_length (run.c sizes its merge buffer from it), ids 3..258 must be the byte pieces
   * that byte fallback assumes, and the file must end after exactly {@code vocabSize} tokens, so
   * a tokenizer paired with a model of another vocabulary fails here rather than decoding junk.
   */
  public static Tokenizer load(Path file, int vocabSize) throws IOException {
    if (vocabSize < MIN_VOCAB) {
      throw new IllegalArgumentException("vocabSize " + vocabSize
          + " leaves no room for <unk>, BOS, EOS and the 256 byte-fallback pieces");
    }
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (in.remaining() < Integer.BYTES) {
      throw new IOException(file + ": too short for a llama2.c tokenizer (" + in.remaining()
          + " bytes)");
    }
    int maxTokenLength = in.getInt();
    if (maxTokenLength <= 0) {
      throw new IOException(file + ": max_token_length is " + maxTokenLength
          + "; not a llama2.c tokenizer");
    }
    String[] pieces = new String[vocabSize];
    float[] scores = new float[vocabSize];
    for (int id = 0; id < vocabSize; id++) {
      int offset = in.position();
      try {
        scores[id] = in.getFloat();
        int length = in.getInt();
        if (length < 0 || length > maxTokenLength) {
          throw new IOException(String.format(
              "%s: token %d (offset %d) has length %d, outside 0..max_token_length %d",
              file, id, offset, length, maxTokenLength));
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        pieces[id] = new String(bytes, ISO_8859_1);
      } catch (BufferUnderflowException e) {
        throw new IOException(String.format(
            "%s: ends inside token %d of %d (offset %d, file is %d bytes)",
            file, id, vocabSize, offset, in.limit()), e);
      }
    }
    if (in.hasRemaining()) {
      throw new IOException(String.format(
          "%s: %d bytes left after %d tokens; the file holds a larger vocabulary",
          file, in.remaining(), vocabSize));
    }
    for (int b = 0; b < 256; b++) {
      String expected = String.format("<0x%02X>", b);
      if (!pieces[BYTE_OFFSET + b].equals(expected)) {
        throw new IOException(String.format("%s: token %d is \"%s\", but byte fallback needs %s",
            file, BYTE_OFFSET + b, pieces[BYTE_OFFSET + b], expected));
      }
    }
    return new Tokenizer(pieces, scores);
  }

  public int vocabSize() {
    return pieces.length;
  }

  public int bos() {
    return BOS;
  }

  public int eos() {
    return EOS;
  }

  /** The piece as stored (no BOS space stripping, {@code <0xNN>} left as text), read as UTF-8. */
  public String piece(int id) {
    return new String(pieces[id].getBytes(ISO_8859_1), UTF_8);
  }

  public float score(int id) {
    return scores[id];
  }

  /**
   * run.c's encode: optional BOS, a dummy-prefix space when the text is non-empty, one piece per
   * UTF-8 codepoint (its bytes as byte-fallback tokens when the vocabulary lacks it), then merges
   * of the adjacent pair with the highest-scoring concatenation (leftmost on ties) until none is
   * in the vocabulary, then optional EOS. Unpaired surrogates encode as '?', as
   * {@link String#getBytes} does.
   */
  public int[] encode(String text, boolean bos, boolean eos) {
    // A UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair is 2 chars for 4 bytes); + 3 for
    // BOS, the dummy prefix and EOS.
    int[] tokens = new int[text.length() * 3 + 3];
    int n = 0;
    if (bos) {
      tokens[n++] = BOS;
    }
    if (!text.isEmpty()) {
      // run.c looks the dummy prefix up as the piece " " without a fallback; both real
      // vocabularies have it, and a byte-fallback space is the sane answer if one does not.
      n = appendCodepoint(" ", tokens, n);
    }
    for (int i = 0; i < text.length(); ) {
      int end = i + Character.charCount(text.codePointAt(i));
      n = appendCodepoint(text.substring(i, end), tokens, n);
      i = end;
    }
    // BOS takes part in merging, as in run.c (no real vocabulary has a piece starting with it).
    n = merge(tokens, n);
    if (eos) {
      tokens[n++] = EOS;
    }
    return Arrays.copyOf(tokens, n);
  }

  private int appendCodepoint(String codepoint, int[] tokens, int n) {
    byte[] bytes = codepoint.getBytes(UTF_8);
    Integer id = ids.get(new String(bytes, ISO_8859_1));
    if (id != null) {
      tokens[n++] = id;
    } else {
      for (byte b : bytes) {
        tokens[n++] = (b & 0xFF) + BYTE_OFFSET;
      }
    }
    return n;
  }

  /**
   * run.c rescans every adjacent pair after each merge, which is quadratic; this keeps the pairs
   * in a heap ordered the same way (score, then position) and, after a merge, rescores only the
   * two pairs that changed. Stale heap entries are recognised and skipped when polled.
   */
  private int merge(int[] tokens, int n) {
    if (n < 2) {
      return n;
    }
    int[] next = new int[n];
    int[] prev = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    boolean[] merged = new boolean[n];
    PriorityQueue<Pair> queue = new PriorityQueue<>(n);
    for (int i = 0; i + 1 < n; i++) {
      offer(queue, tokens, i, i + 1);
    }
    while (!queue.isEmpty()) {
      Pair p = queue.poll();
      boolean current = !merged[p.left] && next[p.left] == p.right
          && tokens[p.left] == p.leftToken && tokens[p.right] == p.rightToken;
      if (!current) {
        continue;
      }
      tokens[p.left] = p.merged;
      merged[p.right] = true;
      next[p.left] = next[p.right];
      if (next[p.right] >= 0) {
        prev[next[p.right]] = p.left;
      }
      if (prev[p.left] >= 0) {
        offer(queue, tokens, prev[p.left], p.left);
      }
      if (next[p.left] >= 0) {
        offer(queue, tokens, p.left, next[p.left]);
      }
    }
    // Merging keeps the left node, so node 0 always heads the list.
    int out = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      tokens[out++] = tokens[i];
    }
    return out;
  }

  private void offer(PriorityQueue<Pair> queue, int[] tokens, int left, int right) {
    Integer id = ids.get(pieces[tokens[left]] + pieces[tokens[right]]);
    // A NaN score fails run.c's comparison too, so such a pair never merges.
    if (id != null && scores[id] > MERGE_FLOOR) {
      queue.add(new Pair(scores[id], left, right, tokens[left], tokens[right], id));
    }
  }

  /** A candidate merge of nodes left and right, valid while they still hold these tokens. */
  private record Pair(float score, int left, int right, int leftToken, int rightToken, int merged)
      implements Comparable<Pair> {
    @Override
    public int compareTo(Pair o) {
      // Primitive comparisons, as run.c's: -0.0 and 0.0 tie, and a tie goes to the leftmost pair
      // (node indices keep their left-to-right order through merges).
      if (score > o.score) {
        return -1;
      }
      if (score < o.score) {
        return 1;
      }
      return Integer.compare(left, o.left);
    }
  }

  /**
   * The bytes {@code token} contributes to text, after {@code prevToken}: run.c's decode, which
   * strips a leading space following BOS (SentencePiece's dummy prefix) and turns {@code <0xNN>}
   * pieces into the raw byte. BOS and EOS contribute nothing, as SentencePiece decodes control
   * tokens; run.c would print their exported text ("\n<s>\n") but never reaches BOS there.
   */
  public byte[] pieceBytes(int prevToken, int token) {
    if (token == BOS || token == EOS) {
      return new byte[0];
    }
    String piece = pieces[token];
    if (prevToken == BOS && piece.startsWith(" ")) {
      piece = piece.substring(1);
    }
    int b = rawByte(piece);
    return b >= 0 ? new byte[] {(byte) b} : piece.getBytes(ISO_8859_1);
  }

  /** The byte a {@code <0xNN>} piece stands for, or -1 for any other piece. */
  private static int rawByte(String piece) {
    if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
      return -1;
    }
    int hi = Character.digit(piece.charAt(3), 16);
    int lo = Character.digit(piece.charAt(4), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /**
   * The text of a token sequence: each token's {@link #pieceBytes} after the one before it (the
   * first after none), decoded as UTF-8 with U+FFFD for invalid bytes. Decoding what
   * {@code encode(s, true, eos)} returns gives back s.
   */
  public String decode(int[] tokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int prev = NO_TOKEN;
    for (int token : tokens) {
      bytes.writeBytes(pieceBytes(prev, token));
      prev = token;
    }
    return bytes.toString(UTF_8);
  }
}
