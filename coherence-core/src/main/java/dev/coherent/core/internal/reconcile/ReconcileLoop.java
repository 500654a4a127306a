package dev.coherent.core.internal.reconcile;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Hint;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freshness guarantee of a runtime. Every {@code interval} it
 *
 * <ol>
 *   <li>reads the PostgreSQL change log past its watermark and applies each change as a tombstone
 *       (when a change log is configured; see {@link ChangeLogPoller});
 *   <li>compares each namespace's Redis epoch and sequence with what the instance has seen;
 *   <li>validates a small random sample of L1 entries against L2.
 * </ol>
 *
 * It is also each namespace's {@link Reconciler}: a sequence gap, a buffer
 * overflow, a resubscription or a liveness failure reconciles soon: a change-log poll when there
 * is a change log (falling back to a local flush if PostgreSQL fails), a local flush and resync
 * otherwise. Requested reconciles start at most once per {@code spacing}; requests that arrive
 * sooner wait and share one run, so a storm of lost hints costs a bounded number of polls (the
 * periodic tick, which the freshness bound rests on, is not delayed). And it watches the
 * subscriber's liveness: with no traffic for {@code livenessTimeout} it pings the Pub/Sub
 * connection; no answer marks every namespace's subscriber down (L1 TTLs clamped) and reconciles.
 *
 * <p>A namespace created on a runtime with a change log is first <em>caught up</em>
 * ({@link #catchUp}): the change log is replayed for it from the synchronisation point recorded in
 * Redis, so that rows which no running instance could write to L2 (Redis stalled, and the
 * instances that read them are gone) are never served old from L2.
 *
 * <p>Thread-safety: polls, replays, reconciles and liveness checks run on one single-threaded
 * scheduler that the loop owns, so the poller, the PING state and the coalescing state are
 * confined to that thread (the catch-up queue is a concurrent map, added to by namespace
 * creation); Redis-side checks and resyncs run on the runtime's single maintenance thread ({@code
 * redisChecks}), so a paused Redis never delays a poll: nothing on the loop's thread calls Redis
 * except the resync of a flush (without a change log, or when a poll failed). Namespaces are
 * thread-safe.
 */
public final class ReconcileLoop implements Reconciler {
  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

  private final ScheduledExecutorService executor;
  private final Executor redisChecks;
  private final java.util.concurrent.atomic.AtomicBoolean redisCheckQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final @Nullable ChangeLogPoller poller;
  private final Duration interval;
  private final Duration livenessTimeout;
  private final int validationSample;
  private final Supplier<Collection<Reconcilable>> namespaces;
  private final Function<String, @Nullable Reconcilable> byName;
  private final Supplier<CompletableFuture<?>> pingSubscriber;
  /** The PING in flight and when it was sent; confined to the loop's thread. */
  private @Nullable CompletableFuture<?> ping;
  private long pingSentNanos;
  private final com.github.benmanes.caffeine.cache.Ticker ticker;
  private final Counter runsOk;
  private final Counter runsFailed;
  private final Counter retentionFlushes;
  private final Timer lag;
  private final Counter coalesced;
  private volatile long lastTrafficNanos;
  private volatile boolean livenessFailed;
  /** Minimum time between the starts of two requested reconciles. */
  private final long spacingNanos;
  /** When the last requested reconcile started; loop thread only. */
  private long lastRequestedNanos;
  /** Namespaces whose requested reconcile waits for the spacing; loop thread only. */
  private final Set<Reconcilable> deferred = new LinkedHashSet<>();
  private boolean deferredScheduled;
  /**
   * Namespaces not yet caught up, with where their replay stands; continued on every tick. Added
   * to by namespace creation (caller thread) and {@link #replayFrom} (maintenance thread); the
   * replays themselves run on the loop thread only.
   */
  private final Map<Reconcilable, Replay> catchUps = new ConcurrentHashMap<>();
  /** Pages one replay step reads before the tick moves on to the poll (10,000 rows by default). */
  private static final int REPLAY_PAGES = 10;

  /**
   * A replay of the change log from transaction {@code from}, resumed after row {@code afterId}.
   * Compared by identity: a newer request for the same point is still a newer request.
   */
  private static final class Replay {
    final long from;
    final long afterId;

    Replay(long from, long afterId) {
      this.from = from;
      this.afterId = afterId;
    }
  }

  public ReconcileLoop(
      ScheduledExecutorService executor,
      Executor redisChecks,
      @Nullable ChangeLogOptions changeLog,
      Duration interval,
      Duration spacing,
      Duration livenessTimeout,
      int validationSample,
      Supplier<Collection<Reconcilable>> namespaces,
      Function<String, @Nullable Reconcilable> byName,
      Supplier<CompletableFuture<?>> pingSubscriber,
      com.github.benmanes.caffeine.cache.Ticker ticker,
      MeterRegistry meters) {
    this.executor = executor;
    this.redisChecks = redisChecks;
    this.poller = changeLog == null ? null : new ChangeLogPoller(changeLog);
    this.interval = interval;
    this.spacingNanos = spacing.toNanos();
    this.livenessTimeout = livenessTimeout;
    this.validationSample = validationSample;
    this.namespaces = namespaces;
    this.byName = byName;
    this.pingSubscriber = pingSubscriber;
    this.ticker = ticker;
    this.runsOk = Counter.builder("coherent.reconcile.runs").tag("result", "ok").register(meters);
    this.runsFailed =
        Counter.builder("coherent.reconcile.runs").tag("result", "failed").register(meters);
    this.retentionFlushes = Counter.builder("coherent.reconcile.retention.flushes")
        .description("polls that found the change log pruned past the watermark").register(meters);
    this.lag = Timer.builder("coherent.reconcile.lag")
        .description("age (from its write's changed_at) of the newest change applied by a poll")
        .register(meters);
    this.coalesced = Counter.builder("coherent.reconcile.coalesced")
        .description("requested reconciles that waited for the spacing and shared a run")
        .register(meters);
    this.lastTrafficNanos = ticker.read();
    this.lastRequestedNanos = lastTrafficNanos - spacingNanos;
  }

  /** Takes the change log's head as the watermark (fails if PostgreSQL does not answer) and schedules ticks. */
  public void start() throws SQLException {
    if (poller != null) {
      poller.startAtHead();
    }
    long period = interval.toMillis();
    executor.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    long livenessPeriod = Math.max(10, Math.min(period, livenessTimeout.toMillis() / 2));
    executor.scheduleWithFixedDelay(
        this::checkLiveness, livenessPeriod, livenessPeriod, TimeUnit.MILLISECONDS);
  }

  /** Any message or subscription event: the subscriber is alive. */
  public void traffic() {
    lastTrafficNanos = ticker.read();
  }

  /**
   * Runs one tick: the change-log poll on this thread, then the Redis-side checks on the
   * {@code redisChecks} executor, so that a slow or paused Redis never delays the next poll (the
   * freshness bound depends on PostgreSQL only).
   */
  public void tick() {
    if (poller != null) {
      catchUps.forEach(this::replay);
      pollChangeLog();
    }
    if (redisCheckQueued.compareAndSet(false, true)) {
      redisChecks.execute(() -> {
        redisCheckQueued.set(false);
        checkRedis();
      });
    }
  }

  /** The Redis-side check and the validation sample of every namespace, on the caller's thread. */
  public void checkRedis() {
    for (Reconcilable namespace : namespaces.get()) {
      try {
        namespace.checkRedisState();
        namespace.validateSample(validationSample);
      } catch (RedisException e) {
        log.debug("namespace {}: Redis-side check failed: {}", namespace.name(), e.toString());
      } catch (RuntimeException e) {
        log.warn("namespace {}: reconcile tick failed", namespace.name(), e);
      }
    }
  }

  /**
   * Prepares a new namespace, before anything can see it: with a change log and a
   * synchronisation point {@code synced} in Redis (-1 when there is none), the namespace does not
   * read L2 until the change log has been replayed for it from that point ({@link #catchUp}).
   * Without a point there is nothing to replay, and this instance's start, the head of the log,
   * becomes the first point once L2 has what the instance owes it, so that an instance started
   * later replays from there.
   */
  public void prepare(Reconcilable namespace, long synced) {
    if (poller != null && synced >= 0) {
      namespace.catchingUp();
    }
  }

  /**
   * Starts the replay of a namespace {@link #prepare}d with {@code synced}, once every poll
   * includes it (after the runtime registered it: a replay that ran before could miss a row that
   * a poll without the namespace then passed over), on the loop's thread, and waits up to {@code
   * wait} for its first {@link #REPLAY_PAGES} pages (usually all of it: the rows since the last
   * synchronisation point). What is left, or a replay that failed, goes on at every tick.
   */
  public void catchUp(Reconcilable namespace, long synced, Duration wait) {
    if (poller == null) {
      return;
    }
    if (synced < 0) {
      executor.execute(() -> recordStart(namespace));
      return;
    }
    catchUps.put(namespace, new Replay(synced, 0));
    try {
      executor.submit(() -> replay(namespace, catchUps.get(namespace)))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("namespace {}: change-log catch-up not done yet ({}); L2 is not read until it is",
          namespace.name(), e.toString());
    }
    if (catchUps.containsKey(namespace)) {
      log.info("namespace {}: change-log catch-up continues on the next ticks; L2 is not read"
          + " until it is done", namespace.name());
    }
  }

  /** The rows below the watermark are applied for {@code namespace} (loop thread only). */
  private void recordStart(Reconcilable namespace) {
    ChangeLogPoller.Watermark now = poller == null ? null : poller.watermark();
    if (now != null) {
      namespace.changeLogPolled(now.lowestUnseen());
    }
  }

  @Override
  public void replayFrom(Reconcilable namespace, long from) {
    if (poller == null) {
      return;
    }
    namespace.catchingUp();
    catchUps.merge(namespace, new Replay(from, 0),
        (running, asked) -> new Replay(Math.min(running.from, asked.from), 0));
    executor.execute(() -> replay(namespace, catchUps.get(namespace)));
  }

  /**
   * Replays up to {@link #REPLAY_PAGES} pages for {@code namespace} (loop thread only), so that a
   * long replay (an old point) never holds up the polls of every namespace for long. Resuming
   * from the last id under a new snapshot skips nothing that matters: a row it skips committed
   * after the previous snapshot, so it was invisible to the poll watermark too, and a poll reads it.
   */
  private void replay(Reconcilable namespace, @Nullable Replay replay) {
    if (replay == null || poller == null || catchUps.get(namespace) != replay) {
      return; // done, or superseded by a newer request (which runs on its own)
    }
    try {
      long lastId = poller.replay(namespace.name(), replay.from, replay.afterId, REPLAY_PAGES,
          new ChangeLogPoller.Sink() {
            @Override
            public boolean apply(List<ChangeLogPoller.Change> page) {
              List<Hint.KeyVersion> changes = new ArrayList<>(page.size());
              for (ChangeLogPoller.Change change : page) {
                changes.add(new Hint.KeyVersion(change.key(), change.version()));
              }
              namespace.applyChanges(changes);
              return !namespace.replayCoveredByEpochBump(); // a bump covers the rest
            }

            @Override
            public void retentionExceeded(long prunedThrough, ChangeLogPoller.Watermark from) {
              log.warn("namespace {}: the change log was pruned through transaction {}, past the"
                  + " namespace's L2 synchronisation point {}: bumping its epoch instead of"
                  + " replaying", namespace.name(), prunedThrough, replay.from);
              retentionFlushes.increment();
              namespace.changeLogLost();
            }
          });
      if (lastId >= 0) {
        catchUps.replace(namespace, replay, new Replay(replay.from, lastId));
        return; // more pages: next tick
      }
      if (catchUps.remove(namespace, replay)) { // else a newer request came meanwhile
        namespace.caughtUp();
        recordStart(namespace);
        log.debug("namespace {}: caught up from transaction {}", namespace.name(),
            replay.from);
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("namespace {}: change-log catch-up failed ({}); retrying on the next tick",
          namespace.name(), e.toString());
    }
  }

  @Override
  public void reconcile(Reconcilable namespace, String reason) {
    long now = ticker.read();
    long wait = lastRequestedNanos + spacingNanos - now;
    if (wait > 0) {
      coalesced.increment();
      deferred.add(namespace);
      if (!deferredScheduled) {
        deferredScheduled = true;
        executor.schedule(this::reconcileDeferred, wait, TimeUnit.NANOSECONDS);
      }
      return;
    }
    lastRequestedNanos = now;
    reconcileNow(List.of(namespace), reason);
  }

  private void reconcileDeferred() {
    deferredScheduled = false;
    List<Reconcilable> batch = new ArrayList<>(deferred);
    deferred.clear();
    lastRequestedNanos = ticker.read();
    try {
      reconcileNow(batch, "coalesced");
    } catch (RuntimeException e) {
      // Without a change log the resync of a flush needs Redis: ask again (spaced as ever).
      batch.forEach(namespace -> namespace.requestReconcile("retry"));
    }
  }

  private void reconcileNow(List<Reconcilable> batch, String reason) {
    if (poller != null && pollChangeLog()) {
      // The change log covered what was lost; the new sequence baseline comes from Redis, off
      // this thread so that a slow Redis never delays a poll.
      for (Reconcilable namespace : batch) {
        redisChecks.execute(() -> {
          try {
            namespace.resync();
          } catch (RedisException e) {
            log.debug("namespace {}: resync after reconcile failed: {}", namespace.name(),
                e.toString());
          }
        });
      }
      return;
    }
    for (Reconcilable namespace : batch) {
      namespace.flushAndResync();
    }
  }

  /** One change-log poll; false when PostgreSQL failed. */
  boolean pollChangeLog() {
    if (poller == null) {
      return false;
    }
    try {
      Collection<Reconcilable> all = namespaces.get();
      List<String> names = new ArrayList<>(all.size());
      for (Reconcilable namespace : all) {
        names.add(namespace.name());
      }
      poller.poll(names, new ChangeLogPoller.Sink() {
        @Override
        public boolean apply(List<ChangeLogPoller.Change> page) {
          Map<String, List<Hint.KeyVersion>> byNamespace = new HashMap<>();
          Instant newest = Instant.EPOCH;
          for (ChangeLogPoller.Change change : page) {
            byNamespace.computeIfAbsent(change.namespace(), n -> new ArrayList<>())
                .add(new Hint.KeyVersion(change.key(), change.version()));
            if (change.changedAt().isAfter(newest)) {
              newest = change.changedAt();
            }
          }
          for (Map.Entry<String, List<Hint.KeyVersion>> e : byNamespace.entrySet()) {
            Reconcilable namespace = byName.apply(e.getKey());
            if (namespace != null) {
              namespace.applyChanges(e.getValue());
            }
          }
          lag.record(Duration.between(newest, Instant.now()).abs());
          return true;
        }

        @Override
        public void retentionExceeded(long prunedThrough, ChangeLogPoller.Watermark watermark) {
          log.warn("the change log was pruned through transaction {} but this instance had read"
              + " only up to {}: flushing every namespace and bumping its epoch instead of"
              + " replaying", prunedThrough, watermark);
          retentionFlushes.increment();
          for (Reconcilable namespace : namespaces.get()) {
            namespace.changeLogLost();
          }
        }
      });
      runsOk.increment();
      // Every row of a transaction below this horizon has been applied (to L1, and handed to
      // L2's pending tombstones) by this poll or an earlier one.
      ChangeLogPoller.Watermark now = poller.watermark();
      if (now != null) {
        long through = now.lowestUnseen();
        for (Reconcilable namespace : all) {
          namespace.changeLogPolled(through);
        }
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      runsFailed.increment();
      log.warn("change-log poll failed ({}); flushing the namespaces that asked for a reconcile",
          e.toString());
      return false;
    }
  }

  /**
   * Never blocks the loop: a PING is sent asynchronously and judged on a later check, so a paused
   * Redis does not delay the change-log polls that run on the same thread.
   */
  private void checkLiveness() {
    long now = ticker.read();
    if (ping != null) {
      boolean answered = ping.isDone() && !ping.isCompletedExceptionally();
      boolean failed = ping.isCompletedExceptionally()
          || (!ping.isDone() && now - pingSentNanos >= livenessTimeout.toNanos());
      if (answered) {
        ping = null;
        traffic();
        if (livenessFailed) {
          livenessFailed = false;
          namespaces.get().forEach(Reconcilable::subscriberAlive);
        }
      } else if (failed) {
        ping = null;
        if (!livenessFailed) {
          livenessFailed = true;
          log.warn("Pub/Sub subscriber silent for {} ms and not answering PING: reconciling",
              TimeUnit.NANOSECONDS.toMillis(now - lastTrafficNanos));
          for (Reconcilable namespace : namespaces.get()) {
            namespace.subscriberDown();
            namespace.requestReconcile("liveness");
          }
        }
      }
      return;
    }
    if (now - lastTrafficNanos >= livenessTimeout.toNanos() || livenessFailed) {
      try {
        ping = pingSubscriber.get();
      } catch (RuntimeException e) {
        ping = CompletableFuture.failedFuture(e);
      }
      pingSentNanos = now;
    }
  }
}
