package dev.coherent.demo.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One reachability check with a deadline. The check runs on the probe's own thread; callers wait
 * at most the deadline for it. Concurrent callers share the check in flight, so a hung server
 * costs one thread per probe however many health requests arrive.
 *
 * <p>Thread-safe: the check in flight is published through an {@link AtomicReference}; the check
 * itself (and any connection it keeps) is confined to the probe's single thread.
 */
public final class Probe implements AutoCloseable {

  /** The check: returns normally when the service answered, throws otherwise. */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  /** The outcome: reachable, or not with a one-line reason. */
  public static final class Result {
    private final boolean reachable;
    private final @Nullable String error;

    private Result(boolean reachable, @Nullable String error) {
      this.reachable = reachable;
      this.error = error;
    }

    public boolean reachable() {
      return reachable;
    }

    /** Why the check failed; null when reachable. */
    public @Nullable String error() {
      return error;
    }
  }

  private static final Result UP = new Result(true, null);

  private final Check check;
  private final ExecutorService thread;
  private final AtomicReference<@Nullable CompletableFuture<Result>> inFlight =
      new AtomicReference<>();

  public Probe(String threadName, Check check) {
    this.check = check;
    this.thread =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread t = new Thread(runnable, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs the check (or joins the one in flight) and waits at most {@code deadline}. */
  public Result check(Duration deadline) {
    return await(start(), System.nanoTime() + deadline.toNanos(), deadline);
  }

  /** Starts the check, or joins the one in flight, without waiting for it. */
  public CompletableFuture<Result> start() {
    return joinOrStart();
  }

  /**
   * Waits for a started check until {@code deadlineNanos} ({@link System#nanoTime()} based);
   * {@code deadline} is the total allowed, for the message.
   */
  public static Result await(CompletableFuture<Result> future, long deadlineNanos, Duration deadline) {
    try {
      long remaining = Math.max(0, deadlineNanos - System.nanoTime());
      return future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return new Result(false, "no answer within " + deadline.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, "interrupted");
    } catch (ExecutionException e) {
      return failure(e.getCause());
    }
  }

  private CompletableFuture<Result> joinOrStart() {
    while (true) {
      CompletableFuture<Result> current = inFlight.get();
      if (current != null) {
        return current;
      }
      CompletableFuture<Result> mine = new CompletableFuture<>();
      if (inFlight.compareAndSet(null, mine)) {
        try {
          thread.execute(
              () -> {
                try {
                  check.run();
                  mine.complete(UP);
                } catch (Throwable t) {
                  mine.complete(failure(t));
                } finally {
                  inFlight.compareAndSet(mine, null);
                }
              });
        } catch (RuntimeException rejected) { // closed
          inFlight.compareAndSet(mine, null);
          mine.complete(new Result(false, "instance is stopping"));
        }
        return mine;
      }
    }
  }

  private static Result failure(Throwable thrown) {
    Throwable root = thrown;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return new Result(false, message.strip().replaceAll("\\s*\\R\\s*", " "));
  }

  /** Stops the probe's thread, interrupting a check in flight, and waits up to a second for it. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
