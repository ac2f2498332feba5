package io.steerd.engine;

/**
 * Asks a generation to also run its sequence unsteered and compare the two next-token
 * distributions at every step.
 *
 * @param desired first tokens of the vector's desired probe continuations (may be empty)
 * @param undesired the matching undesired first tokens
 */
public record ShadowSpec(int[] desired, int[] undesired) {
  public static final ShadowSpec WITHOUT_PROBES = new ShadowSpec(new int[0], new int[0]);

  public boolean hasProbes() {
    return desired.length > 0;
  }
}
