package io.steerd.engine;

import io.steerd.errors.SteerdException;
import io.steerd.model.Tokenizer;
import io.steerd.steering.SteeringPlan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching on one model thread. Every iteration it drops cancelled and finished
 * sequences, admits waiting ones into free cache slots with one batched prefill, runs at most one
 * other task (scoring, extraction, a sweep point), and decodes one token for every running
 * sequence in a single step. Each row carries its own edits through the step's edit table.
 *
 * <p>Running rows always occupy cache slots 0..n-1: when a sequence leaves, the last rows move
 * into its place (a one-off copy per departure), so a step's batch is one contiguous view of the
 * cache and never copies the history.
 */
public final class Scheduler implements AutoCloseable {
  /** Work that needs the model. */
  @FunctionalInterface
  public interface Task<T> {
    T run(DecoderSession session) throws Exception;
  }

  private record Job<T>(Task<T> task, CompletableFuture<T> result) {}

  private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
  /** Prompt tokens one admission prefill may carry, so admissions cannot stall decoding long. */
  private static final int PREFILL_TOKEN_BUDGET = 2048;

  private final DecoderSession session;
  private final Tokenizer tokenizer;
  private final int queueCapacity;
  private final KvCache cache;
  private final Thread worker;

  private final Object lock = new Object();
  private final Deque<Sequence> waiting = new ArrayDeque<>();
  private final Deque<Job<?>> tasks = new ArrayDeque<>();
  private volatile boolean closed;

  // Owned by the model thread.
  private final List<Sequence.Row> rows = new ArrayList<>();
  private final List<Sequence> running = new ArrayList<>();
  private final Map<SteeringPlan, Integer> tableRows = new IdentityHashMap<>();
  private EditTable table;

  /**
   * @param slots cache rows: running sequences (a shadowed one takes two)
   * @param queueCapacity requests that may wait; beyond it, RESOURCE_EXHAUSTED
   */
  public Scheduler(DecoderSession session, Tokenizer tokenizer, int slots, int queueCapacity)
      throws ai.onnxruntime.OrtException {
    this.session = session;
    this.tokenizer = tokenizer;
    this.queueCapacity = queueCapacity;
    this.cache = session.newCache(slots, session.config().contextLength());
    this.worker = new Thread(this::loop, "steerd-model");
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues a generation; tokens go to the sink from the model thread as they are sampled. */
  public CompletableFuture<GenerationResult> generate(GenerationRequest request, TokenSink sink) {
    Sequence sequence = new Sequence(request, sink, tokenizer);
    if (sequence.rowCount() > cache.rows()) {
      throw new SteerdException(SteerdException.Kind.RESOURCE_EXHAUSTED,
          "a shadowed request needs 2 cache slots; the server has " + cache.rows());
    }
    synchronized (lock) {
      admitOrRefuse();
      waiting.add(sequence);
      lock.notifyAll();
    }
    return sequence.result;
  }

  /** Queues a task to run between decode steps. */
  public <T> CompletableFuture<T> submit(Task<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    synchronized (lock) {
      admitOrRefuse();
      tasks.add(new Job<>(task, result));
      lock.notifyAll();
    }
    return result;
  }

  private void admitOrRefuse() {
    if (closed) {
      throw new SteerdException(SteerdException.Kind.UNAVAILABLE, "server is shutting down");
    }
    // Requests whose clients gave up while waiting hold no place in the queue.
    waiting.removeIf(s -> s.cancelled() && s.finish(FinishReason.CANCELLED));
    if (waiting.size() + tasks.size() >= queueCapacity) {
      throw new SteerdException(SteerdException.Kind.RESOURCE_EXHAUSTED,
          "request queue is full (" + queueCapacity + " waiting); retry later");
    }
  }

  /** Requests queued and not yet started. */
  public int waiting() {
    synchronized (lock) {
      return waiting.size() + tasks.size();
    }
  }

  /** Cache slots of the running batch. */
  public int slots() {
    return cache.rows();
  }

  private void loop() {
    try {
      while (!closed) {
        List<Sequence> admitted;
        Job<?> job;
        synchronized (lock) {
          while (!closed && running.isEmpty() && waiting.isEmpty() && tasks.isEmpty()) {
            lock.wait();
          }
          admitted = takeAdmissible();
          job = tasks.poll();
        }
        dropCancelled();
        if (!admitted.isEmpty()) {
          guard(admitted, () -> prefill(admitted));
        }
        if (job != null) {
          run(job);
        }
        if (!running.isEmpty()) {
          guard(running, this::decode);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      LOG.log(Level.SEVERE, "model thread failed; refusing further work", e);
    } finally {
      synchronized (lock) {
        closed = true;
      }
      failAll(new SteerdException(SteerdException.Kind.UNAVAILABLE, "server is shutting down"));
      // Native memory is freed by the thread that uses it, so no step can run on freed tensors.
      if (table != null) {
        table.close();
      }
      cache.close();
    }
  }

  /** Waiting sequences that fit in the free slots and the prefill budget, in arrival order. */
  private List<Sequence> takeAdmissible() {
    List<Sequence> admitted = new ArrayList<>();
    int free = cache.rows() - rows.size();
    int tokens = 0;
    while (!waiting.isEmpty()) {
      Sequence next = waiting.peek();
      if (next.cancelled()) {
        waiting.poll();
        next.finish(FinishReason.CANCELLED);
        continue;
      }
      int length = next.request.prompt().length;
      if (next.rowCount() > free || (!admitted.isEmpty() && tokens + length > PREFILL_TOKEN_BUDGET)) {
        break;
      }
      waiting.poll();
      admitted.add(next);
      free -= next.rowCount();
      tokens += length;
    }
    return admitted;
  }

  private void dropCancelled() {
    for (Sequence s : List.copyOf(running)) {
      if (s.cancelled()) {
        s.finish(FinishReason.CANCELLED);
        remove(s);
      }
    }
  }

  /** One batched prefill for the sequences joining the batch; their rows go after the others. */
  private void prefill(List<Sequence> admitted) throws Exception {
    List<Sequence> live = new ArrayList<>();
    for (Sequence s : admitted) {
      if (s.cancelled()) {
        s.finish(FinishReason.CANCELLED);
      } else {
        live.add(s);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    int first = rows.size();
    List<Sequence.Row> joining = new ArrayList<>();
    for (Sequence s : live) {
      joining.add(s.steered);
      if (s.shadowRow != null) {
        joining.add(s.shadowRow);
      }
    }
    for (Sequence.Row row : joining) {
      row.slot = rows.size();
      rows.add(row);
    }
    running.addAll(live);
    refreshTable();
    StepOutput out = session.step(input(joining), cache, first, table);
    finishStep(live, out, first);
  }

  private void decode() throws Exception {
    StepOutput out = session.step(input(rows), cache, 0, table);
    finishStep(List.copyOf(running), out, 0);
  }

  /** Hands each sequence its logits from a step whose batch started at cache row {@code first}. */
  private void finishStep(List<Sequence> stepped, StepOutput out, int first) {
    // Read every row's logits before any departure moves rows to other slots.
    float[][] logits = new float[stepped.size()][];
    float[] normalizers = new float[stepped.size()];
    float[][] shadows = new float[stepped.size()][];
    for (int i = 0; i < stepped.size(); i++) {
      Sequence s = stepped.get(i);
      logits[i] = out.logits(s.steered.slot - first, 0);
      normalizers[i] = out.logNormalizer(s.steered.slot - first, 0);
      shadows[i] = s.shadowRow == null ? null : out.logits(s.shadowRow.slot - first, 0);
    }
    for (int i = 0; i < stepped.size(); i++) {
      Sequence s = stepped.get(i);
      boolean done;
      try {
        done = s.advance(logits[i], normalizers[i], shadows[i]);
      } catch (Throwable e) {
        // A failing sink (or an out-of-memory building its message) ends this sequence only.
        s.result.completeExceptionally(e);
        done = true;
      }
      if (done) {
        remove(s);
      }
    }
  }

  private StepInput input(List<Sequence.Row> batch) {
    int n = batch.size();
    int[][] tokens = new int[n][];
    int[] past = new int[n];
    int[][] outputs = new int[n][];
    int[] editRows = new int[n];
    for (int i = 0; i < n; i++) {
      Sequence.Row row = batch.get(i);
      tokens[i] = row.sequence.nextInput();
      past[i] = row.sequence.position();
      outputs[i] = new int[] {tokens[i].length - 1};
      editRows[i] = row.shadow ? 0 : tableRows.getOrDefault(row.sequence.request.plan(), 0);
    }
    return new StepInput(tokens, past, outputs, editRows);
  }

  /** Rebuilds the edit table when the running batch's set of configurations changed. */
  private void refreshTable() throws Exception {
    List<SteeringPlan> plans = new ArrayList<>();
    for (Sequence s : running) {
      if (!s.request.plan().isIdentity()) {
        plans.add(s.request.plan());
      }
    }
    boolean same = table != null && plans.size() == tableRows.size()
        && plans.stream().allMatch(tableRows::containsKey);
    if (same) {
      return;
    }
    EditTable next = session.newEditTable(plans);
    if (table != null) {
      table.close();
    }
    table = next;
    tableRows.clear();
    for (int i = 0; i < plans.size(); i++) {
      tableRows.put(plans.get(i), i + 1);
    }
  }

  /** Frees a sequence's rows, moving the last rows down so the batch stays contiguous. */
  private void remove(Sequence s) {
    running.remove(s);
    removeRow(s.steered);
    if (s.shadowRow != null) {
      removeRow(s.shadowRow);
    }
    try {
      refreshTable();
    } catch (Exception e) {
      LOG.log(Level.SEVERE, "could not rebuild the edit table", e);
    }
  }

  private void removeRow(Sequence.Row row) {
    int hole = row.slot;
    int last = rows.size() - 1;
    if (hole != last) {
      Sequence.Row moved = rows.get(last);
      cache.moveRow(last, hole);
      moved.slot = hole;
      rows.set(hole, moved);
    }
    rows.remove(last);
  }

  /** A failing step fails the sequences in it, not the server. */
  private void guard(List<Sequence> involved, StepBody body) {
    try {
      body.run();
    } catch (Throwable e) {
      LOG.log(Level.SEVERE, "model step failed", e);
      for (Sequence s : List.copyOf(involved)) {
        s.result.completeExceptionally(e);
        if (running.contains(s)) {
          remove(s);
        }
      }
    }
  }

  @FunctionalInterface
  private interface StepBody {
    void run() throws Exception;
  }

  private <T> void run(Job<T> job) {
    if (job.result().isCancelled()) {
      return;
    }
    try {
      job.result().complete(job.task().run(session));
    } catch (Throwable t) {
      job.result().completeExceptionally(t);
    }
  }

  private void failAll(SteerdException error) {
    for (Sequence s : running) {
      s.result.completeExceptionally(error);
    }
    synchronized (lock) {
      waiting.forEach(s -> s.result.completeExceptionally(error));
      tasks.forEach(j -> j.result().completeExceptionally(error));
      waiting.clear();
      tasks.clear();
    }
  }

  /**
   * Stops taking work, fails what is queued, and waits for the step or task in progress. Returns
   * only once the model thread has ended, or after {@code 60 s}; see {@link #stopped()}.
   */
  @Override
  public void close() throws InterruptedException {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    worker.join(60_000);
  }

  /** Whether the model thread has ended, so the session may be freed. */
  public boolean stopped() {
    return !worker.isAlive();
  }
}
