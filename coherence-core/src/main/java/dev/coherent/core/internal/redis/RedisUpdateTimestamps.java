package dev.coherent.core.internal.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.UpdateTimestamps;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UpdateTimestamps} of one scope in Redis: one key per space and the clock floor, all
 * under the hash tag {@code {<tenant>:ts:<scope>}} so the scripts run on Redis Cluster; no TTL
 * (a timestamp must never expire). See docs/protocol.md, "Update timestamps".
 *
 * <p>Thread-safety: callers on any thread; {@link #maintain} on the runtime's maintenance thread.
 * The Lettuce command interface is thread-safe, the pending spaces are a concurrent set, the
 * failure deadline is a volatile long and the clock estimate says how it is safe.
 */
public final class RedisUpdateTimestamps implements UpdateTimestamps {
  private static final Logger log = LoggerFactory.getLogger(RedisUpdateTimestamps.class);
  /** How long after a failure reads answer "unknown" at once instead of waiting for Redis. */
  private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
  /**
   * How often the clock estimate is calibrated again: its drift allowance grows with its age, and
   * a result computed within that allowance (plus a round trip) of a write to its tables is not
   * served. One second keeps it under a millisecond for one Redis call a second.
   */
  private static final long CALIBRATE_NANOS = Duration.ofSeconds(1).toNanos();
  /** Notbefore values must stay exact in Lua's doubles. */
  private static final long MAX_NOT_BEFORE = 1L << 53;
  private static final int MAX_SPACE = 512;

  private final RedisCommands<String, byte[]> redis;
  private final Ticker ticker;
  private final String base;
  private final String clockKey;
  private final SharedClockEstimate clock = new SharedClockEstimate();
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private volatile long downUntil;
  private volatile boolean down;

  /** Keys under {@code <keyPrefix>:{<tenant>:ts:<scope>}}; calibrates at once if Redis answers. */
  RedisUpdateTimestamps(RedisCommands<String, byte[]> redis, Ticker ticker, String keyPrefix,
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
    if (isDown()) {
      return UNKNOWN;
    }
    try {
      return parse(Script.STAMP_READ.run(redis, new String[] {clockKey, key}));
    } catch (RedisException e) {
      failed("read the timestamp of " + space, e);
      return UNKNOWN;
    }
  }

  @Override
  public long update(String space, long notBefore) {
    String key = spaceKey(space);
    if (notBefore < 0 || notBefore > MAX_NOT_BEFORE) {
      throw new IllegalArgumentException("notBefore " + notBefore + " must be from 0 to 2^53"
          + " (microseconds of the shared clock, as now() gives)");
    }
    // No shortcut while "down", unlike reads: an update held back while Redis answers others
    // would let them serve results older than it.
    try {
      return write(key, notBefore);
    } catch (RedisException e) {
      pending.add(space);
      failed("record an update of " + space, e);
      return UNKNOWN;
    }
  }

  @Override
  public int pendingUpdates() {
    return pending.size();
  }

  /**
   * Calibrates the clock when due (or after a failure) and writes the updates Redis could not
   * take, each stamped now. Maintenance thread.
   */
  public void maintain() {
    long age = clock.age(ticker.read());
    if ((age < 0 || age >= CALIBRATE_NANOS || down) && !calibrate()) {
      return;
    }
    for (String space : pending) {
      pending.remove(space); // before the write: a failure meanwhile adds it again
      try {
        write(spaceKey(space), 0);
      } catch (RedisException e) {
        pending.add(space);
        failed("record an update of " + space, e);
        return;
      }
    }
  }

  private boolean calibrate() {
    try {
      long sent = ticker.read();
      long redisNow = parse(Script.STAMP_CLOCK.run(redis, new String[] {clockKey}));
      clock.calibrate(redisNow, sent, ticker.read(), down); // after an outage, whatever it says
      down = false;
      return true;
    } catch (RedisException e) {
      failed("read the shared clock", e);
      return false;
    }
  }

  private long write(String key, long notBefore) {
    return parse(Script.STAMP_WRITE.run(redis, new String[] {clockKey, key},
        Long.toString(notBefore).getBytes(StandardCharsets.US_ASCII)));
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

  private static long parse(List<Object> reply) {
    return Long.parseLong(new String((byte[]) reply.get(0), StandardCharsets.US_ASCII));
  }
}
