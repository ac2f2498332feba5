package io.steerd.engine;

import io.steerd.errors.SteerdException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides what runs on the model and when: a bounded queue drained by one worker thread that owns
 * the session. Kept apart from model execution (the {@link DecoderSession}) so the policy can
 * change without touching the graph plumbing.
 */
public final class Scheduler implements AutoCloseable {
  /** Work that needs the model. */
  @FunctionalInterface
  public interface Task<T> {
    T run(DecoderSession session) throws Exception;
  }

  private record Job<T>(Task<T> task, CompletableFuture<T> result) {}

  private final DecoderSession session;
  private final BlockingQueue<Job<?>> queue;
  private final Thread worker;
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile boolean closed;

  public Scheduler(DecoderSession session, int queueCapacity) {
    this.session = session;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.worker = new Thread(this::drain, "steerd-model");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues a task; fails at once with RESOURCE_EXHAUSTED when the queue is full, and with
   * UNAVAILABLE once the scheduler is closing.
   */
  public <T> CompletableFuture<T> submit(Task<T> task) {
    if (closed) {
      throw new SteerdException(SteerdException.Kind.UNAVAILABLE, "server is shutting down");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!queue.offer(new Job<>(task, result))) {
      throw new SteerdException(SteerdException.Kind.RESOURCE_EXHAUSTED,
          "request queue is full (" + queue.size() + " waiting); retry later");
    }
    waiting.incrementAndGet();
    return result;
  }

  /** Requests queued and not yet started. */
  public int waiting() {
    return waiting.get();
  }

  private void drain() {
    while (!closed) {
      Job<?> job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      waiting.decrementAndGet();
      run(job);
    }
  }

  private static <T> void run(Job<T> job, DecoderSession session) {
    if (job.result().isCancelled()) {
      return;
    }
    try {
      job.result().complete(job.task().run(session));
    } catch (Throwable t) {
      job.result().completeExceptionally(t);
    }
  }

  private void run(Job<?> job) {
    run(job, session);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    worker.interrupt();
    worker.join(10_000);
    Job<?> left;
    while ((left = queue.poll()) != null) {
      left.result().completeExceptionally(
          new SteerdException(SteerdException.Kind.UNAVAILABLE, "server is shutting down"));
    }
  }
}
