package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measurement 7, hint throughput: how many invalidations per second one subscriber applies before
 * its drop policy engages. Runtime B holds every key in L1. A publisher speaks the hint protocol
 * (schema version 1, as a non-Java writer would): one small Lua script per message INCRs the
 * namespace's sequence and PUBLISHes the hint with it, pipelined, so sequences stay contiguous and
 * B sees real, gap-free traffic, while the publisher costs far less CPU than a Coherent writer
 * (whose own limit is the bulk measurement's batch figure). Offered rates double each step.
 *
 * <p>A step is sustained when the publisher reached the offered rate, B dropped nothing
 * ({@code coherent.hints.dropped}), saw no sequence gap, and its buffer drained within a second
 * of the step's end; a step that fails is retried once (both attempts are listed). Three regimes:
 * one key per message, 256 keys per message (the default {@code maxKeysPerHint}, run until B
 * drops), then one key per message again after that burst (a drain that became dearer after a
 * burst would show there as a lower rate or as drops).
 *
 * <p>The step that drops also measures the drop policy's cost as B's user sees it, through the
 * public meters and {@link NearCache#status()}: how many keys were dropped, how many times L1 was
 * flushed ({@code coherent.flushes}), and how long after the step's end B had received every hint
 * and emptied its buffer again. Everything shares the machine's 2 cores.
 */
final class HintThroughput {
  static final String NAMESPACE = "bench:hints";
  static final int MAX_IN_FLIGHT = 64;
  /** KEYS[1] sequence; ARGV[1] channel, ARGV[2] hint up to the sequence, ARGV[3] the rest. */
  static final String PUBLISH_SCRIPT = "local s = redis.call('INCR', KEYS[1]) "
      + "redis.call('PUBLISH', ARGV[1], ARGV[2] .. s .. ARGV[3]) return s";

  private HintThroughput() {}

  /** One offered-rate step. */
  record Step(long offeredKeysPerSec, double achievedKeysPerSec, double appliedKeysPerSec,
      long dropped, long flushes, long gaps, double drainMs, boolean sustained) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offeredKeysPerSec", offeredKeysPerSec);
      m.put("achievedKeysPerSec", Results.round(achievedKeysPerSec));
      m.put("appliedKeysPerSec", Results.round(appliedKeysPerSec));
      m.put("dropped", dropped);
      m.put("flushes", flushes);
      m.put("gaps", gaps);
      m.put("drainMs", Results.round(drainMs));
      m.put("sustained", sustained);
      return m;
    }
  }

  /** Publishes protocol-conformant KEYS hints for B's namespace. Single-threaded. */
  static final class Publisher implements AutoCloseable {
    final RedisClient client = RedisClient.create(Fixtures.redisUrl());
    final StatefulRedisConnection<String, String> connection = client.connect();
    final RedisAsyncCommands<String, String> redis = connection.async();
    final ArrayDeque<RedisFuture<Long>> inFlight = new ArrayDeque<>();
    final String sequenceKey;
    final String channel;
    final String head;
    final String epochPart;
    final String sha;
    final List<String> keys;
    int cursor;
    long version = 1;
    long ids;
    /** The highest sequence Redis gave a published hint. */
    long lastSequence = -1;

    Publisher(String tenant, long epoch, List<String> keys) throws Exception {
      // Key layout and channel per docs/protocol.md: keys share the hash tag {tenant:namespace}.
      this.sequenceKey = "coherent:{" + tenant + ":" + NAMESPACE + "}:seq";
      this.channel = "pubsub:v1:cache-invalidate:" + NAMESPACE + ":" + tenant;
      this.head = "{\"v\":1,\"type\":\"KEYS\",\"ns\":\"" + NAMESPACE + "\",\"tenant\":\"" + tenant
          + "\",\"origin\":\"bench-publisher\",\"ts\":" + System.currentTimeMillis() + ",\"id\":\"";
      this.epochPart = "],\"epoch\":" + epoch + ",\"seq\":";
      this.keys = keys;
      this.sha = redis.scriptLoad(PUBLISH_SCRIPT).get(5, TimeUnit.SECONDS);
    }

    /** Sends one hint of {@code n} keys, waiting first if too many are unanswered. */
    void send(int n) throws Exception {
      while (inFlight.size() >= MAX_IN_FLIGHT) {
        complete(inFlight.poll());
      }
      long v = ++version;
      StringBuilder sb = new StringBuilder(64 + n * 24).append(head)
          .append(new UUID(0x0000_0000_0000_4000L, ++ids | 0x8000_0000_0000_0000L)).append("\",\"keys\":[");
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append("{\"k\":\"").append(keys.get(cursor)).append("\",\"ver\":").append(v).append('}');
        cursor = cursor + 1 == keys.size() ? 0 : cursor + 1;
      }
      sb.append(epochPart);
      inFlight.add(redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {sequenceKey},
          channel, sb.toString(), "}"));
    }

    void flush() throws Exception {
      while (!inFlight.isEmpty()) {
        complete(inFlight.poll());
      }
    }

    private void complete(RedisFuture<Long> f) throws Exception {
      lastSequence = Math.max(lastSequence, f.get(10, TimeUnit.SECONDS));
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  static void run(Budget budget, Results results) throws Exception {
    int keys = budget.hintKeys();
    results.put("hintThroughputKeys", keys);
    results.put("hintBufferCapacity", NamespaceOptions.DEFAULT_HINT_BUFFER_CAPACITY);
    String tenant = Fixtures.newTenant();
    MeterRegistry meters = new SimpleMeterRegistry();
    CoherentRuntime b = Fixtures.runtime("bench-hints-b", tenant, meters, x -> {});
    Publisher publisher = null;
    try {
      VersionedLoader<String, String> loader = key -> Versioned.of("v", 0);
      NamespaceOptions options = NamespaceOptions.builder().l1MaximumSize(2L * keys).build();
      NearCache<String, String> nb = b.namespace(NAMESPACE, Codecs.string(), options, loader);
      List<String> all = new ArrayList<>(keys);
      for (int i = 0; i < keys; i++) {
        all.add("k" + i);
      }
      for (int from = 0; from < keys; from += 5_000) {
        nb.getAll(all.subList(from, Math.min(keys, from + 5_000)));
      }
      publisher = new Publisher(tenant, nb.status().epoch(), all);

      // Check the protocol assumptions on a few hints before measuring anything.
      double applied0 = Fixtures.sum(meters, "coherent.hints.applied");
      for (int i = 0; i < 10; i++) {
        publisher.send(10);
      }
      publisher.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (Fixtures.sum(meters, "coherent.hints.applied") - applied0 < 100
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
      if (Fixtures.sum(meters, "coherent.hints.applied") - applied0 < 100
          || Fixtures.sum(meters, "coherent.hints.gaps") > 0
          || Fixtures.sum(meters, "coherent.hints.malformed") > 0) {
        throw new IllegalStateException("the subscriber did not apply the publisher's hints"
            + " cleanly (applied " + (Fixtures.sum(meters, "coherent.hints.applied") - applied0)
            + " of 100, gaps " + Fixtures.sum(meters, "coherent.hints.gaps") + ", malformed "
            + Fixtures.sum(meters, "coherent.hints.malformed") + "); has the hint protocol or the"
            + " sequence key layout changed?");
      }
      // Warm-up: both message shapes at moderate rates, so the JIT has compiled B's hint path
      // (and is no longer competing for the 2 cores) before the first measured step.
      for (int round = 0; round < 2; round++) {
        step(budget.hintStepMillis(), 5_000, 1, publisher, nb, meters);
        step(budget.hintStepMillis(), 100_000, 256, publisher, nb, meters);
      }
      awaitCaughtUp(nb, publisher, meters, 10_000);
      String[] prefixes = {"hintThroughputSingleKey", "hintThroughput",
          "hintThroughputSingleKeyAfterBurst"};
      int[] perMessage = {1, 256, 1};
      for (int regime = 0; regime < prefixes.length; regime++) {
        int keysPerMessage = perMessage[regime];
        String prefix = prefixes[regime];
        List<Map<String, Object>> steps = new ArrayList<>();
        long sustained = 0;
        long firstDrop = -1;
        Step drop = null;
        double recoveryMs = Double.NaN;
        boolean publisherLimited = false;
        long first = keysPerMessage == 1 ? 10_000 : 100_000;
        for (long rate = first; rate <= 100_000_000; rate *= 2) {
          Step s = step(budget.hintStepMillis(), rate, keysPerMessage, publisher, nb, meters);
          if (!s.sustained()) {
            // One retry: a GC pause or a JIT compilation on 2 shared cores is not a limit.
            steps.add(s.toMap());
            awaitCaughtUp(nb, publisher, meters, 10_000);
            s = step(budget.hintStepMillis(), rate, keysPerMessage, publisher, nb, meters);
          }
          steps.add(s.toMap());
          if (s.sustained()) {
            sustained = Math.max(sustained, Math.round(s.achievedKeysPerSec()));
            continue;
          }
          if (s.dropped() > 0) {
            firstDrop = rate;
            drop = s;
            // The drop policy's cost: time from the step's end until B is caught up again.
            long t = System.nanoTime();
            if (awaitCaughtUp(nb, publisher, meters, 10_000)) {
              recoveryMs = s.drainMs() + (System.nanoTime() - t) / 1e6;
            }
          } else if (s.gaps() == 0 && s.achievedKeysPerSec() < 0.9 * rate) {
            publisherLimited = true;
          }
          break;
        }
        results.put(prefix + "KeysPerMessage", keysPerMessage);
        results.put(prefix + "SustainedKeysPerSec", sustained);
        results.put(prefix + "FirstDropOfferedKeysPerSec", firstDrop < 0 ? null : firstDrop);
        results.put(prefix + "PublisherLimited", publisherLimited);
        if (drop != null) {
          results.put(prefix + "FirstDropDroppedKeys", drop.dropped());
          results.put(prefix + "FirstDropFlushes", drop.flushes());
          results.put(prefix + "FirstDropRecoveryMs",
              Double.isNaN(recoveryMs) ? null : Results.round(recoveryMs));
          if (Double.isNaN(recoveryMs)) {
            results.note(String.format("Hint throughput (%d keys/message): B had not caught up"
                + " 10 s after the step that dropped.", keysPerMessage));
          }
        }
        results.put(prefix + "Steps", steps);
        if (publisherLimited) {
          results.note(String.format("Hint throughput (%d keys/message): the publisher could not"
              + " offer more on the shared 2 cores; B applied %,d keys/s without dropping, so its"
              + " limit is at least that.", keysPerMessage, sustained));
        }
        // Let B recover (a drop flushed its L1: refill it) before the next regime.
        awaitCaughtUp(nb, publisher, meters, 10_000);
        for (int from = 0; from < keys; from += 5_000) {
          nb.getAll(all.subList(from, Math.min(keys, from + 5_000)));
        }
      }
      results.put("hintThroughputCoalesced", Fixtures.sum(meters, "coherent.hints.coalesced"));
      results.put("hintThroughputReconcileRequests",
          Fixtures.sum(meters, "coherent.reconcile.requests"));
    } finally {
      if (publisher != null) {
        publisher.close();
      }
      Fixtures.close(b);
    }
  }

  private static Step step(int millis, long rate, int keysPerMessage, Publisher publisher,
      NearCache<String, String> nb, MeterRegistry meters) throws Exception {
    double applied0 = Fixtures.sum(meters, "coherent.hints.applied");
    double dropped0 = Fixtures.sum(meters, "coherent.hints.dropped");
    double gaps0 = Fixtures.sum(meters, "coherent.hints.gaps");
    double flushes0 = Fixtures.sum(meters, "coherent.flushes");
    // Paced in ticks of ~0.2 ms: send what is due, then park (a spinning publisher would take a
    // core from B and Redis). Falling more than 50 ms behind is not made up: the step falls short.
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
    long sent = 0;
    long forgiven = 0;
    long maxBacklog = Math.max(keysPerMessage, rate / 20);
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (long) ((now - t0) / 1e9 * rate) - forgiven;
      if (due - sent > maxBacklog) {
        forgiven += due - sent - maxBacklog;
        due = sent + maxBacklog;
      }
      while (sent + keysPerMessage <= due) {
        publisher.send(keysPerMessage);
        sent += keysPerMessage;
      }
      LockSupport.parkNanos(200_000);
    }
    publisher.flush();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double appliedDuring = Fixtures.sum(meters, "coherent.hints.applied") - applied0;
    long drainStart = System.nanoTime();
    boolean drained = awaitCaughtUp(nb, publisher, meters, 1_000);
    double drainMs = (System.nanoTime() - drainStart) / 1e6;
    long dropped = Math.round(Fixtures.sum(meters, "coherent.hints.dropped") - dropped0);
    long gaps = Math.round(Fixtures.sum(meters, "coherent.hints.gaps") - gaps0);
    long flushes = Math.round(Fixtures.sum(meters, "coherent.flushes") - flushes0);
    double achieved = sent / seconds;
    boolean sustained = drained && dropped == 0 && gaps == 0 && achieved >= 0.9 * rate;
    return new Step(rate, achieved, appliedDuring / seconds, dropped, flushes, gaps, drainMs,
        sustained);
  }

  /**
   * Waits until B has received every published hint (its last sequence reached the publisher's)
   * and its buffer is empty; false on timeout. Hints still queued in Redis's output buffer or in
   * B's socket count as not yet applied.
   */
  private static boolean awaitCaughtUp(NearCache<String, String> nb, Publisher publisher,
      MeterRegistry meters, long timeoutMillis) throws Exception {
    publisher.flush();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Gauge pending = meters.find("coherent.hints.pending").gauge();
    while (System.nanoTime() < deadline) {
      if (nb.status().lastSequence() >= publisher.lastSequence
          && (pending == null || pending.value() == 0)) {
        return true;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return false;
  }
}
