package dev.coherent.core.internal;

import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.L2Entry;
import dev.coherent.core.internal.redis.L2Store;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of one namespace: {@code put}, {@code invalidate}, the epoch bump, and
 * everything L2 is owed. A write goes to L1 at once, then to Redis with its hint in chunks of
 * {@code maxKeysPerHint} (one {@code write.lua} call and one hint each). What Redis does not take
 * is kept in {@link PendingL2}: its version floors every load meanwhile, and {@link #syncL2} on
 * the maintenance thread writes it later, together with the change-log tombstones the reconciler
 * hands over, and then raises the namespace's L2 synchronisation point.
 *
 * <p>Thread-safety: {@code put} and the invalidations run on callers' threads and touch only
 * thread-safe collaborators. {@link #syncL2} and {@code syncedRecorded} are the maintenance
 * thread's ({@code syncedRecorded} is first set by {@link #started} before the namespace is
 * published); {@code polledThrough} is volatile, raised by the reconciler thread.
 */
final class WritePath<V> {
  private static final Logger log = LoggerFactory.getLogger(WritePath.class);

  /** What L2's synchronisation point going back or vanishing asks of the namespace. */
  interface Regressions {
    /** L2 lost what it had been given since change-log transaction {@code from}: replay it. */
    void replayFrom(long from);

    /** From where to replay is unknown: make every older L2 entry unreachable. */
    void pointLost();
  }

  private final String name;
  private final NamespaceOptions options;
  private final RuntimeContext ctx;
  private final HintCodec hints;
  private final L2Store l2;
  private final L1Store<V> l1;
  private final PendingL2 pending;
  private final L2Health health;
  private final Lifetimes lifetimes;
  private final NamespaceMetrics metrics;
  private final Regressions regressions;
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  /**
   * The change-log transaction horizon this instance has read through: every row of a transaction
   * below it has been applied to L1 and handed to {@link #pending}. Set by the reconciler thread.
   */
  private volatile long polledThrough = -1;
  /** The highest synchronisation point this instance knows Redis had (maintenance thread). */
  private long syncedRecorded = -1;

  WritePath(String name, NamespaceOptions options, RuntimeContext ctx, HintCodec hints, L2Store l2,
      L1Store<V> l1, PendingL2 pending, L2Health health, Lifetimes lifetimes,
      NamespaceMetrics metrics, Regressions regressions) {
    this.name = name;
    this.options = options;
    this.ctx = ctx;
    this.hints = hints;
    this.l2 = l2;
    this.l1 = l1;
    this.pending = pending;
    this.health = health;
    this.lifetimes = lifetimes;
    this.metrics = metrics;
    this.regressions = regressions;
  }

  /** What Redis had as the synchronisation point at start: a lower point later means it lost writes. */
  void started(long synced) {
    syncedRecorded = synced;
  }

  // ------------------------------------------------------------------------------ caller writes

  void put(String k, V value, byte[] payload, long version) {
    metrics.puts.increment();
    // While an epoch bump is pending, floors may have been dropped with the pending keys: keep
    // what this put installs short-lived, as when Redis is down.
    L1Entry<V> fresh = l1.put(k, value, version, health.degraded() || pending.epochBumpPending());
    if (l1.closed()) { // closed while this put ran: take back what it installed
      l1.remove(k, fresh);
      throw l1.closedException();
    }
    List<Hint.KeyVersion> key = List.of(new Hint.KeyVersion(k, version));
    List<L2Store.Decision> decisions =
        publish(key, options.l2Enabled() ? List.of(L2Entry.encode(EntryKind.VALUE, version, payload))
            : null, -1);
    if (options.l2Enabled() && decisions != null
        && decisions.get(0) == L2Store.Decision.REFUSED) {
      // Redis holds a newer version (a write whose hint this instance never saw, or one it saw
      // before it held the key): keep a floor above this put instead of its value.
      metrics.fillRacesPrevented.increment();
      l1.refuse(k, fresh);
    }
  }

  /** Invalidates encoded, checked keys: L1 at once, then L2 and the hint. */
  void invalidate(List<Hint.KeyVersion> batch) {
    invalidate(batch, -1);
  }

  /**
   * {@link #invalidate(List)} with L2 tombstones that live {@code l2TtlMillis} (-1: as long as
   * any entry); a replay after a Redis failure writes them with the usual lifetime.
   */
  void invalidate(List<Hint.KeyVersion> batch, long l2TtlMillis) {
    // A floor first, until Redis has the tombstones: a load of a key L1 does not hold may read L2
    // before they land, and its install then meets the floor (or, had it installed before this
    // line, the L1 tombstone below). A chunk Redis does not take is remembered by publish().
    batch.forEach(kv -> pending.hold(kv.key(), kv.version()));
    try {
      for (Hint.KeyVersion kv : batch) {
        l1.applyInvalidation(kv.key(), kv.version());
      }
      publish(batch, options.l2Enabled() ? tombstones(batch) : null, l2TtlMillis);
    } finally {
      batch.forEach(kv -> pending.release(kv.key(), kv.version()));
    }
  }

  /**
   * Evicts {@code k} without a version: an invalidation above every value known here or in L2
   * (read first, under the current epoch), whose tombstones live {@code l2TtlMillis}. Where the
   * highest version known is already a tombstone's, it invalidates at that version again instead
   * of above it: nothing at or above it is cached anywhere, and a repeated evict (Hibernate evicts
   * several times per change) must not climb, nor cut short a real invalidation's tombstone (an
   * equal tombstone keeps the longer lifetime, see protocol.md). What Redis cannot answer now is
   * left out; a replay after a Redis failure writes the tombstone with the usual lifetime.
   */
  void evict(String k, long l2TtlMillis) {
    Known known = new Known();
    long l1Version = l1.versionOf(k);
    known.add(l1Version, l1Version >= 0 && l1.tombstoneAt(k, l1Version));
    known.add(pending.floor(k), false); // a pending put's version may be a value somewhere
    if (options.l2Enabled()) {
      try {
        L2Entry stored = readOne(k);
        health.recovered();
        if (stored != null) {
          known.add(stored.version(), stored.kind() == EntryKind.TOMBSTONE);
        }
      } catch (RedisException e) {
        health.failed("read", e);
      }
    }
    // At least 1: a tombstone at 0 refuses nothing, and data without versions fills at 0.
    long version = known.onlyTombstones || known.highest == Long.MAX_VALUE
        ? Math.max(1, known.highest) : Math.max(1, known.highest + 1);
    invalidate(List.of(new Hint.KeyVersion(k, version)), l2TtlMillis);
  }

  /** The highest version a tier knows for a key, and whether only tombstones are at it. */
  private static final class Known {
    long highest = -1;
    boolean onlyTombstones;

    void add(long version, boolean tombstone) {
      if (version < 0) {
        return;
      }
      if (version > highest) {
        highest = version;
        onlyTombstones = tombstone;
      } else if (version == highest) {
        onlyTombstones = onlyTombstones && tombstone;
      }
    }
  }

  /** The L2 entry of {@code k} under the current epoch (adopting a new one first), or null. */
  private @Nullable L2Entry readOne(String k) {
    L2Store.ReadReply read = l2.read(l1.stamp().epoch, initialEpoch(), List.of(k));
    if (!read.epochMatched()) {
      l1.adoptEpoch(read.epoch(), "l2_read");
      read = l2.read(l1.stamp().epoch, initialEpoch(), List.of(k));
    }
    return read.epochMatched() ? L2Entry.decode(read.entries().get(0)) : null;
  }

  /** Bumps the namespace epoch in Redis (or, if Redis fails, as soon as it answers). */
  void bumpEpoch() {
    try {
      L2Store.EpochState bumped = l2.bumpEpoch(initialEpoch(),
          hints.epoch(name, ctx.tenant(), ctx.instanceId(), ctx.clock().millis()));
      metrics.epochBumps.increment();
      metrics.hintsPublished.increment();
      l1.adoptEpoch(bumped.epoch(), "invalidate_all");
      health.recovered();
    } catch (RedisException e) {
      health.failed("epoch", e);
      pending.requestEpochBump();
    }
  }

  /**
   * Writes entries (or, with L2 off, only the sequence) and publishes hints, in chunks. On a
   * Redis failure the keys are remembered for replay. Returns Redis's per-entry decisions, or
   * null when a chunk failed.
   */
  private @Nullable List<L2Store.Decision> publish(List<Hint.KeyVersion> keys,
      @Nullable List<byte[]> entries, long l2TtlMillis) {
    List<L2Store.Decision> decisions = new ArrayList<>(keys.size());
    boolean failed = false;
    for (int[] range : HintCodec.chunks(keys, options.maxKeysPerHint())) {
      List<Hint.KeyVersion> part = keys.subList(range[0], range[1]);
      try {
        decisions.addAll(
            writeChunk(part, entries == null ? List.of() : entries.subList(range[0], range[1]),
                l2TtlMillis));
        health.recovered();
      } catch (RedisException e) {
        health.failed("write", e);
        for (Hint.KeyVersion kv : part) {
          pending.write(kv.key(), kv.version());
        }
        failed = true;
      }
    }
    return failed ? null : decisions;
  }

  private List<L2Store.Decision> writeChunk(List<Hint.KeyVersion> part, List<byte[]> entries,
      long l2TtlMillis) {
    List<String> keys = new ArrayList<>(entries.size());
    List<Long> ttls = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      keys.add(part.get(i).key());
      ttls.add(l2TtlMillis > 0 ? l2TtlMillis : lifetimes.l2Millis());
    }
    HintCodec.Template template =
        hints.keys(name, ctx.tenant(), ctx.instanceId(), ctx.clock().millis(), part);
    for (int attempt = 0; ; attempt++) {
      L2Store.WriteReply reply =
          l2.write(l1.stamp().epoch, initialEpoch(), template, keys, entries, ttls);
      if (reply.epochMatched()) {
        metrics.hintsPublished.increment();
        return reply.decisions();
      }
      l1.adoptEpoch(reply.epoch(), "write");
      if (attempt > 0) {
        throw new RedisException("epoch of namespace " + name + " keeps changing");
      }
    }
  }

  private static List<byte[]> tombstones(List<Hint.KeyVersion> keys) {
    List<byte[]> out = new ArrayList<>(keys.size());
    for (Hint.KeyVersion kv : keys) {
      out.add(L2Entry.tombstone(kv.version()));
    }
    return out;
  }

  // ------------------------------------------------------------------------- what L2 is owed

  /**
   * Applies change-log changes: each is made pending for L2 first, then tombstoned in L1 (a load
   * that installs after the first step sees the floor; one that installed before is tombstoned by
   * the second). Never calls Redis, so a stalled Redis cannot delay the poll.
   */
  void applyChanges(List<Hint.KeyVersion> changes) {
    for (Hint.KeyVersion change : changes) {
      if (options.l2Enabled()) {
        pending.change(change.key(), change.version());
      }
      l1.applyInvalidation(change.key(), change.version());
    }
    if (!changes.isEmpty()) {
      scheduleSync(); // page by page, so a long poll does not pile up pending keys
    }
  }

  /** Every change-log row of transactions below {@code through} has been applied. */
  void changeLogPolled(long through) {
    if (through > polledThrough) {
      polledThrough = through;
    }
    scheduleSync();
  }

  /** Whether an epoch bump waits for Redis (it covers every key pending before it). */
  boolean epochBumpPending() {
    return pending.epochBumpPending();
  }

  /** Every L2 entry written so far must become unreachable: an epoch bump, when Redis answers. */
  void requestEpochBump() {
    if (options.l2Enabled()) {
      pending.requestEpochBump();
      scheduleSync();
    }
  }

  void scheduleSync() {
    // With L2 off only this instance's own writes and epoch bumps can be owed (they publish).
    if ((options.l2Enabled() || !pending.isEmpty()) && syncQueued.compareAndSet(false, true)) {
      ctx.maintenance().execute(() -> {
        syncQueued.set(false);
        syncL2();
      });
    }
  }

  /** Whether the maintenance tick has something to write or a point to raise. */
  boolean syncDue() {
    return !pending.isEmpty()
        || (options.l2Enabled() && health.isCaughtUp() && polledThrough > syncedRecorded);
  }

  /**
   * Writes to L2 what {@link #pending} holds: first a pending epoch bump (it covers every key
   * pending when it is taken), then this instance's own writes through {@code write.lua} (each
   * publishes its hint, late), then the change-log tombstones through {@code fill.lua}. When all
   * of it landed, records {@link #polledThrough} as the namespace's synchronisation point in
   * Redis: a new instance replays the change log from there, so that a change no running instance
   * could write to L2 is never lost. On a Redis failure everything not yet written stays pending.
   * Maintenance thread only.
   */
  void syncL2() {
    // Read first, together: every change below `through` is pending or written, and (when the
    // namespace was caught up by then) so is every row its catch-up replayed.
    long through = polledThrough;
    boolean caughtUp = health.isCaughtUp();
    try {
      if (pending.epochBumpPending()) {
        long requests = pending.bumpRequests();
        PendingL2.Snapshot covered = pending.snapshot();
        L2Store.EpochState bumped = l2.bumpEpoch(initialEpoch(),
            hints.epoch(name, ctx.tenant(), ctx.instanceId(), ctx.clock().millis()));
        metrics.epochBumps.increment();
        metrics.hintsPublished.increment();
        l1.adoptEpoch(bumped.epoch(), "replay");
        pending.epochBumped(requests, covered);
      }
      PendingL2.Snapshot owed = pending.snapshot();
      List<Hint.KeyVersion> writes = keyVersions(owed.writes());
      for (int[] range : HintCodec.chunks(writes, options.maxKeysPerHint())) {
        List<Hint.KeyVersion> part = writes.subList(range[0], range[1]);
        writeChunk(part, options.l2Enabled() ? tombstones(part) : List.of(), -1);
        part.forEach(kv -> pending.wrote(kv.key(), kv.version()));
      }
      List<Hint.KeyVersion> changes = keyVersions(owed.changes());
      for (int[] range : HintCodec.chunks(changes, options.maxKeysPerHint())) {
        List<Hint.KeyVersion> part = changes.subList(range[0], range[1]);
        fillTombstones(part);
        part.forEach(kv -> pending.changed(kv.key(), kv.version()));
      }
      health.recovered();
      if (options.l2Enabled() && caughtUp && through > syncedRecorded
          && !pending.epochBumpPending()) {
        advanceSynced(through);
      }
    } catch (RedisException e) {
      health.failed("replay", e); // everything not yet written stays pending for the next try
    }
  }

  private void advanceSynced(long through) {
    long before = l2.advanceSynced(through, syncedRecorded);
    if (before < 0 && syncedRecorded >= 0) {
      // The point is gone while entries may not be (a restore from before it existed, an
      // eviction): from where to replay is unknown, so make every older entry unreachable.
      log.warn("namespace {}: Redis's L2 synchronisation point is gone (it was {});"
          + " bumping the namespace's epoch", name, syncedRecorded);
      metrics.l2Regressions.increment();
      syncedRecorded = -1;
      regressions.pointLost();
    } else if (before >= 0 && before < syncedRecorded) {
      // Redis came back from an older state (a restore from disk, a failover to a replica that
      // had not received everything): tombstones written since then may be gone too. The script
      // left the point where Redis had it, so new instances replay from there as well; this one
      // does now, and raises it when that is written.
      log.warn("namespace {}: Redis's L2 synchronisation point went back from {} to {};"
          + " replaying the change log from there", name, syncedRecorded, before);
      metrics.l2Regressions.increment();
      syncedRecorded = before;
      regressions.replayFrom(before);
    } else {
      syncedRecorded = through;
    }
  }

  /** Writes tombstones without a hint, under the current epoch (once more if it just moved). */
  private void fillTombstones(List<Hint.KeyVersion> part) {
    List<String> keys = new ArrayList<>(part.size());
    List<Long> ttls = new ArrayList<>(part.size());
    for (Hint.KeyVersion kv : part) {
      keys.add(kv.key());
      ttls.add(lifetimes.l2Millis());
    }
    List<byte[]> tombstones = tombstones(part);
    for (int attempt = 0; ; attempt++) {
      L2Store.WriteReply reply = l2.fill(l1.stamp().epoch, initialEpoch(), keys, tombstones, ttls);
      if (reply.epochMatched()) {
        return;
      }
      // A new epoch may already hold a fill older than these changes: write them there too.
      l1.adoptEpoch(reply.epoch(), "reconcile");
      if (attempt > 0) {
        throw new RedisException("epoch of namespace " + name + " keeps changing");
      }
    }
  }

  private static List<Hint.KeyVersion> keyVersions(Map<String, Long> owed) {
    List<Hint.KeyVersion> out = new ArrayList<>(owed.size());
    owed.forEach((k, v) -> out.add(new Hint.KeyVersion(k, v)));
    return out;
  }

  private long initialEpoch() {
    return ctx.clock().millis();
  }
}
