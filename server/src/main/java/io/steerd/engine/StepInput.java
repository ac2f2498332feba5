package io.steerd.engine;

/**
 * One forward pass over a batch whose row b is cache row b.
 *
 * @param tokens new tokens per row; rows may differ in length (the graph sees them right-padded)
 * @param pastLengths tokens already cached per row
 * @param outputPositions per row, which of its new tokens to return logits and hidden states
 *     for; every row asks for the same number
 * @param editRows per row, its configuration's row in the step's {@link EditTable}
 */
public record StepInput(int[][] tokens, int[] pastLengths, int[][] outputPositions, int[] editRows) {
  public int batchSize() {
    return tokens.length;
  }

  /** A single row that returns the last token's outputs. */
  public static StepInput single(int[] tokens, int pastLength, int editRow) {
    return new StepInput(new int[][] {tokens}, new int[] {pastLength},
        new int[][] {{tokens.length - 1}}, new int[] {editRow});
  }
}
