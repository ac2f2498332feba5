package io.steerd.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Applies stop sequences to a token stream. A token is released once none of its text could
 * still be the start of a stop sequence; when one completes, the token it starts in is released
 * cut short and nothing after it is. So the released texts always concatenate to the output,
 * stop sequence excluded.
 */
final class StopMatcher {
  /** A token and its text, ready to be streamed. */
  record Released(int id, String text, float logprob) {}

  private record Pending(int id, float logprob, int start, int end) {}

  private final List<String> stops;
  private final StringBuilder text = new StringBuilder();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private boolean stopped;

  StopMatcher(List<String> stops) {
    this.stops = stops;
  }

  boolean stopped() {
    return stopped;
  }

  /** The output so far, stop sequence excluded. */
  String text() {
    return text.toString();
  }

  /** Adds a token; returns the tokens that can be released now, in order. */
  List<Released> accept(int id, String piece, float logprob, List<Released> out) {
    int start = text.length();
    text.append(piece);
    pending.add(new Pending(id, logprob, start, text.length()));
    int searchFrom = pending.peekFirst().start();
    int hit = earliestStop(searchFrom);
    if (hit >= 0) {
      stopped = true;
      release(hit, out);
      Pending cut = pending.peekFirst();
      if (cut != null && cut.start() < hit) {
        out.add(new Released(cut.id(), text.substring(cut.start(), hit), cut.logprob()));
      }
      pending.clear();
      text.setLength(hit);
      return out;
    }
    release(text.length() - heldBack(searchFrom), out);
    return out;
  }

  /** Releases everything still held (the generation ended without a stop sequence). */
  List<Released> flush(List<Released> out) {
    release(text.length(), out);
    return out;
  }

  private void release(int upTo, List<Released> out) {
    while (!pending.isEmpty() && pending.peekFirst().end() <= upTo) {
      Pending p = pending.pollFirst();
      out.add(new Released(p.id(), text.substring(p.start(), p.end()), p.logprob()));
    }
  }

  private int earliestStop(int from) {
    int best = -1;
    for (String stop : stops) {
      int at = text.indexOf(stop, from);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /** Length of the longest tail of the text that is a proper prefix of some stop sequence. */
  private int heldBack(int from) {
    int hold = 0;
    int available = text.length() - from;
    for (String stop : stops) {
      for (int k = Math.min(stop.length() - 1, available); k > hold; k--) {
        if (endsWith(stop, k)) {
          hold = k;
          break;
        }
      }
    }
    return hold;
  }

  private boolean endsWith(String stop, int prefixLength) {
    int offset = text.length() - prefixLength;
    for (int i = 0; i < prefixLength; i++) {
      if (text.charAt(offset + i) != stop.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
