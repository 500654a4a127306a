package dev.coherent.core.internal.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.UpdateTimestamps;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UpdateTimestamps} of one scope in Redis: one key per space and the clock, all under
 * the hash tag {@code {<tenant>:ts:<scope>}} so the scripts run on Redis Cluster; no TTL (a
 * timestamp must never expire). See docs/protocol.md, "Update timestamps".
 *
 * <p>A read is one GET (the script only for a missing timestamp). Every script reply carries the
 * shared clock, which is also a check of the estimate: a reply whose clock is below the estimate
 * at the moment the call was sent proves the estimate ran ahead (a clock slewed faster than the
 * drift allowance), and the estimate is replaced by that reading.
 *
 * <p>Thread-safety: callers on any thread; {@link #maintain} on the runtime's maintenance thread.
 * The Lettuce command interface is thread-safe, the pending spaces are a concurrent map changed
 * only by atomic compute/merge/remove(key, value) calls, ordered by an atomic counter; the
 * failure state is two volatile fields and the clock estimate says how it is safe.
 */
public final class RedisUpdateTimestamps implements UpdateTimestamps {
  private static final Logger log = LoggerFactory.getLogger(RedisUpdateTimestamps.class);
  /** How long after a failure reads answer "unknown" at once instead of waiting for Redis. */
  private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
  /**
   * How often the clock estimate is calibrated again: its drift allowance grows with its age, and
   * a result computed within that allowance (plus a round trip) of a write to its tables is not
   * served. One second keeps it near a millisecond for one Redis call a second.
   */
  private static final long CALIBRATE_NANOS = Duration.ofSeconds(1).toNanos();
  /** Timestamps must stay exact in Lua's doubles. */
  private static final long MAX_NOT_BEFORE = 1L << 53;
  private static final int MAX_SPACE = 512;

  private final RedisClusterCommands<String, byte[]> redis;
  private final Ticker ticker;
  private final String base;
  private final String clockKey;
  private final SharedClockEstimate clock = new SharedClockEstimate();
  /**
   * An update Redis did not take: the value to write (the last one asked for wins, as in Redis)
   * and the order in which it was asked, so that a later update that Redis took removes it and an
   * earlier one does not.
   */
  private record Pending(long notBefore, long order) {}

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong order = new java.util.concurrent.atomic.AtomicLong();
  private volatile long downUntil;
  private volatile boolean down;
  /**
   * Whether the last write (a calibration, an update or a touch) failed and no calibration has
   * succeeded since. Reads are plain GETs, which a Redis refusing writes (out of memory under
   * {@code noeviction}, a read-only replica) still answers with old values: while writes fail,
   * reads answer unknown. Calibration writes the clock every second, so an instance that only
   * reads notices within a second.
   */
  private volatile boolean writesFailing;

  /** Keys under {@code <keyPrefix>:{<tenant>:ts:<scope>}}; calibrates at once if Redis answers. */
  RedisUpdateTimestamps(RedisClusterCommands<String, byte[]> redis, Ticker ticker, String keyPrefix,
      String tenant, String scope) {
    this.redis = redis;
    this.ticker = ticker;
    this.base = keyPrefix + ":{" + tenant + ":ts:" + scope + "}";
    this.clockKey = base + ":clock";
    calibrate();
  }

  @Override
  public long now() {
    return clock.now(ticker::read);
  }

  @Override
  public long lastUpdate(String space) {
    String key = spaceKey(space);
    // An update of this instance's that Redis has not taken yet: Redis's value is too old.
    if (writesFailing || pending.containsKey(space) || isDown()) {
      return UNKNOWN;
    }
    try {
      byte[] stored = redis.get(key); // the common case: one GET
      return stored != null ? Long.parseLong(new String(stored, StandardCharsets.US_ASCII))
          : call(Script.STAMP_READ, key, now());
    } catch (RedisException e) {
      failed("read the timestamp of " + space, e);
      return UNKNOWN;
    } catch (NumberFormatException e) { // not written by Coherent: never read it as old
      log.warn("update timestamps {}: the timestamp of {} is not a number ({}); read as unknown",
          base, space, e.getMessage());
      return UNKNOWN;
    }
  }

  @Override
  public long update(String space, long notBefore) {
    return stamp(Script.STAMP_WRITE, space, notBefore, true);
  }

  @Override
  public long touch(String space, long notBefore) {
    return stamp(Script.STAMP_TOUCH, space, notBefore, false);
  }

  @Override
  public int pendingUpdates() {
    return pending.size();
  }

  /**
   * Calibrates the clock when due (or after a failure) and writes the updates Redis could not
   * take, each as a touch (it must not lower a newer writer's "being written until"), stamped now.
   * Maintenance thread.
   */
  public void maintain() {
    long age = clock.age(ticker.read());
    if ((age < 0 || age >= CALIBRATE_NANOS || down) && !calibrate()) {
      return;
    }
    for (Map.Entry<String, Pending> entry : pending.entrySet()) {
      String space = entry.getKey();
      Pending owed = entry.getValue();
      try {
        call(Script.STAMP_TOUCH, spaceKey(space), Math.max(owed.notBefore(), now()));
        pending.remove(space, owed); // unless a newer one was added meanwhile
      } catch (RedisException e) {
        writesFailing = true;
        failed("record an update of " + space, e);
        return;
      }
    }
  }

  /**
   * Always sent to Redis (no shortcut while "down", unlike reads): see {@link #update}. What
   * Redis did not take is owed: the last update asked for (as Redis would keep it), or the
   * highest touch. An update Redis took settles what was owed before it; a touch only what it
   * covers.
   */
  private long stamp(Script script, String space, long notBefore, boolean lastWins) {
    String key = spaceKey(space);
    if (notBefore < 0 || notBefore > MAX_NOT_BEFORE) {
      throw new IllegalArgumentException("notBefore " + notBefore + " must be from 0 to 2^53"
          + " (microseconds of the shared clock, as now() gives)");
    }
    long asked = order.incrementAndGet();
    try {
      long written = call(script, key, notBefore);
      pending.computeIfPresent(space, (s, owed) -> owed.order() < asked
          && (lastWins || owed.notBefore() <= written) ? null : owed);
      return written;
    } catch (RedisException e) {
      writesFailing = true;
      pending.merge(space, new Pending(notBefore, asked), (owed, now) -> lastWins
          ? (now.order() > owed.order() ? now : owed)
          : new Pending(Math.max(owed.notBefore(), now.notBefore()), Math.max(owed.order(),
              now.order())));
      failed("record an update of " + space, e);
      return UNKNOWN;
    }
  }

  /** Runs a stamp script ({@code {timestamp, clock}}) and checks the estimate against the clock. */
  private long call(Script script, String key, long notBefore) {
    long sent = ticker.read();
    long estimateAtSend = clock.now(() -> sent);
    List<Object> reply = script.run(redis, new String[] {clockKey, key},
        Long.toString(notBefore).getBytes(StandardCharsets.US_ASCII));
    long redisNow = parse(reply, 1);
    if (estimateAtSend > redisNow) {
      log.warn("update timestamps {}: the clock estimate ran {} µs ahead of Redis's clock (a"
          + " clock slewed faster than the allowance); recalibrated", base,
          estimateAtSend - redisNow);
      clock.calibrate(redisNow, sent, ticker.read(), true);
    }
    return parse(reply, 0);
  }

  private boolean calibrate() {
    try {
      long sent = ticker.read();
      long redisNow = parse(Script.STAMP_CLOCK.run(redis, new String[] {clockKey}), 0);
      // Adopted if better, or in any case if the estimate ran ahead of Redis's clock.
      clock.calibrate(redisNow, sent, ticker.read(), clock.now(() -> sent) > redisNow);
      down = false;
      writesFailing = false;
      return true;
    } catch (RedisException e) {
      writesFailing = true;
      failed("read the shared clock", e);
      return false;
    }
  }

  private boolean isDown() {
    return down && ticker.read() - downUntil < 0;
  }

  private void failed(String what, RedisException e) {
    if (!down) {
      log.warn("update timestamps {}: cannot {} ({}); query results are not served until Redis"
          + " answers", base, what, e.toString());
    }
    downUntil = ticker.read() + RETRY_NANOS;
    down = true;
  }

  private String spaceKey(String space) {
    if (space == null || space.isEmpty() || space.length() > MAX_SPACE) {
      throw new IllegalArgumentException("space '" + space + "' must be 1 to " + MAX_SPACE
          + " characters");
    }
    return base + ":s:" + space;
  }

  private static long parse(List<Object> reply, int index) {
    return Long.parseLong(new String((byte[]) reply.get(index), StandardCharsets.US_ASCII));
  }
}
