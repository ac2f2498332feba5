package io.steerd.engine;

import ai.onnxruntime.OrtException;
import io.steerd.steering.SteeringPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Teacher-forced scoring: the log-probability the (steered) model gives each continuation token
 * after its prompt. Items run as batch rows, several per forward pass.
 */
public final class Scorer {
  /** Token ids of a prompt (BOS included) and of the continuation to score after it. */
  public record Item(int[] prompt, int[] continuation) {
    public int length() {
      return prompt.length + continuation.length - 1;
    }
  }

  /** The continuation's log-probabilities, and how many tokens were the model's argmax. */
  public record Score(double logprob, float[] tokenLogprobs, int top1Matches) {}

  /**
   * Rows per forward pass, and bounds on the floats one pass may hold in logits and in attention
   * scores (rows x heads x length^2), so long texts run in smaller batches that stay in cache.
   */
  private static final int MAX_ROWS = 16;
  private static final long MAX_LOGIT_FLOATS = 8L << 20;
  private static final long MAX_SCORE_FLOATS = 4L << 20;

  private final DecoderSession session;

  public Scorer(DecoderSession session) {
    this.session = session;
  }

  public List<Score> score(List<Item> items, SteeringPlan plan) throws OrtException {
    Score[] scores = new Score[items.size()];
    // Similar lengths share a batch, so little of each pass is padding.
    Integer[] order = new Integer[items.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> items.get(i).length()));
    List<SteeringPlan> plans = plan.isIdentity() ? List.of() : List.of(plan);
    try (EditTable table = session.newEditTable(plans)) {
      int editRow = plans.isEmpty() ? 0 : 1;
      int vocab = session.config().vocabSize();
      int start = 0;
      while (start < order.length) {
        int end = start;
        int widest = 0;
        int heads = session.config().numHeads();
        while (end < order.length && end - start < MAX_ROWS) {
          Item item = items.get(order[end]);
          int width = Math.max(widest, item.continuation().length);
          long rows = end - start + 1;
          long length = item.length();
          if (end > start && (rows * width * vocab > MAX_LOGIT_FLOATS
              || rows * heads * length * length > MAX_SCORE_FLOATS)) {
            break;
          }
          widest = width;
          end++;
        }
        List<Integer> batch = Arrays.asList(order).subList(start, end);
        List<Score> results = scoreBatch(batch.stream().map(items::get).toList(), widest, table,
            editRow);
        for (int i = 0; i < batch.size(); i++) {
          scores[batch.get(i)] = results.get(i);
        }
        start = end;
      }
    }
    return Arrays.asList(scores);
  }

  private List<Score> scoreBatch(List<Item> batch, int outputs, EditTable table, int editRow)
      throws OrtException {
    int rows = batch.size();
    int[][] tokens = new int[rows][];
    int[][] positions = new int[rows][outputs];
    int capacity = 0;
    for (int b = 0; b < rows; b++) {
      Item item = batch.get(b);
      int[] row = Arrays.copyOf(item.prompt(), item.length());
      System.arraycopy(item.continuation(), 0, row, item.prompt().length,
          item.continuation().length - 1);
      tokens[b] = row;
      capacity = Math.max(capacity, row.length);
      for (int r = 0; r < outputs; r++) {
        // Rows with shorter continuations repeat their last position; those outputs are unused.
        positions[b][r] = item.prompt().length - 1 + Math.min(r, item.continuation().length - 1);
      }
    }
    int[] editRows = new int[rows];
    Arrays.fill(editRows, editRow);
    try (KvCache cache = session.newCache(rows, capacity)) {
      StepOutput out = session.step(new StepInput(tokens, new int[rows], positions, editRows),
          cache, table);
      List<Score> scores = new ArrayList<>(rows);
      for (int b = 0; b < rows; b++) {
        int[] continuation = batch.get(b).continuation();
        float[] logprobs = new float[continuation.length];
        double total = 0;
        int top1 = 0;
        for (int j = 0; j < continuation.length; j++) {
          float[] logits = out.logits(b, j);
          double logprob = logits[continuation[j]] - out.logNormalizer(b, j);
          logprobs[j] = (float) logprob;
          total += logprob;
          if (Sampler.argmax(logits) == continuation[j]) {
            top1++;
          }
        }
        scores.add(new Score(total, logprobs, top1));
      }
      return scores;
    }
  }
}
