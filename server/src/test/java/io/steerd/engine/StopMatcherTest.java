package io.steerd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
  private static String texts(List<StopMatcher.Released> released) {
    StringBuilder s = new StringBuilder();
    released.forEach(r -> s.append('[').append(r.text()).append(']'));
    return s.toString();
  }

  @Test
  void withoutStopsEveryTokenIsReleasedAtOnce() {
    StopMatcher m = new StopMatcher(List.of());
    assertEquals("[Once]", texts(m.accept(1, "Once", 0f, new ArrayList<>())));
    assertEquals("[ upon]", texts(m.accept(2, " upon", 0f, new ArrayList<>())));
    assertEquals("Once upon", m.text());
  }

  @Test
  void holdsBackAPossibleStopPrefixAndReleasesItWhenItIsNotOne() {
    StopMatcher m = new StopMatcher(List.of("The end"));
    assertEquals("[happy.]", texts(m.accept(1, "happy.", 0f, new ArrayList<>())));
    assertEquals("", texts(m.accept(2, " The", 0f, new ArrayList<>())));
    assertEquals("[ The][ cat]", texts(m.accept(3, " cat", 0f, new ArrayList<>())));
    assertFalse(m.stopped());
  }

  @Test
  void cutsTheTokenWhereTheStopBeginsAndDropsTheRest() {
    StopMatcher m = new StopMatcher(List.of("\n\n", "end."));
    assertEquals("[It was fun]", texts(m.accept(1, "It was fun", 0f, new ArrayList<>())));
    assertEquals("", texts(m.accept(2, ".\n", 0f, new ArrayList<>())), "\n may start \n\n");
    List<StopMatcher.Released> last = m.accept(3, "\nMore", 0f, new ArrayList<>());
    assertTrue(m.stopped());
    assertEquals("[.]", texts(last));
    assertEquals("It was fun.", m.text());
  }

  @Test
  void flushReleasesWhatWasHeld() {
    StopMatcher m = new StopMatcher(List.of("xyz"));
    assertEquals("[a]", texts(m.accept(1, "a", 0f, new ArrayList<>())));
    assertEquals("", texts(m.accept(2, "xy", 0f, new ArrayList<>())));
    assertEquals("[xy]", texts(m.flush(new ArrayList<>())));
  }

  @Test
  void whenTwoStopsCompleteInOneTokenTheOneStartingEarliestInTheTextWins() {
    // "b c" is listed first, but "a b" starts earlier in the token's text.
    StopMatcher m = new StopMatcher(List.of("b c", "a b"));
    List<StopMatcher.Released> out = m.accept(7, "x a b c", -0.5f, new ArrayList<>());
    assertTrue(m.stopped());
    assertEquals("[x ]", texts(out));
    assertEquals(7, out.get(0).id());
    assertEquals("x ", m.text());
  }
}
