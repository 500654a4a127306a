package dev.coherent.core.internal;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Redis side of one namespace: key layout, the entry encoding and the script calls. Every key
 * of a namespace shares the hash tag {@code {tenant:namespace}} so the scripts run on Redis
 * Cluster. Entries are {@code <version>|<kind>|<payload>} (kind V, N or T, see prelude.lua).
 *
 * <p>Thread-safe: holds only immutable strings and the thread-safe Lettuce command interface. Every
 * method may throw Lettuce's {@code RedisException}; callers decide what degraded mode means.
 */
final class RedisL2 {
  private final RedisCommands<String, byte[]> redis;
  private final String base;
  private final String epochKey;
  private final String sequenceKey;
  private final String syncedKey;
  private final String channel;

  RedisL2(RedisCommands<String, byte[]> redis, String keyPrefix, String tenant, String namespace,
      String channel) {
    this.redis = redis;
    this.base = keyPrefix + ":{" + tenant + ":" + namespace + "}";
    this.epochKey = base + ":epoch";
    this.sequenceKey = base + ":seq";
    this.syncedKey = base + ":synced";
    this.channel = channel;
  }

  String channel() {
    return channel;
  }

  String entryKey(long epoch, String key) {
    return base + ":e" + epoch + ":" + key;
  }

  String leaseKey(String key) {
    return base + ":lease:" + key;
  }

  String epochKey() {
    return epochKey;
  }

  /** A decoded L2 entry; {@code payload} is empty for tombstones. */
  record Stored(L1Entry.Kind kind, long version, byte[] payload) {}

  /** Result of a script guarded by the epoch: {@code epochMatched} false means nothing was done. */
  record Outcome(boolean epochMatched, long epoch, long sequence, List<Integer> decisions) {}

  static byte[] encode(L1Entry.Kind kind, long version, byte @Nullable [] payload) {
    if (kind == L1Entry.Kind.LOADING) {
      throw new IllegalArgumentException("a load in flight is not an L2 entry; stored kinds are"
          + " VALUE, ABSENT and TOMBSTONE");
    }
    byte[] header = (version + "|" + kind.code + "|").getBytes(StandardCharsets.US_ASCII);
    if (payload == null || payload.length == 0) {
      return header;
    }
    byte[] out = new byte[header.length + payload.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(payload, 0, out, header.length, payload.length);
    return out;
  }

  /** Decodes an entry; null for bytes that are not one (treated as a miss, and overwritten). */
  static @Nullable Stored decode(byte @Nullable [] bytes) {
    if (bytes == null) {
      return null;
    }
    int bar = -1;
    long version = 0;
    for (int i = 0; i < bytes.length && i < 20; i++) {
      byte b = bytes[i];
      if (b == '|') {
        bar = i;
        break;
      }
      if (b < '0' || b > '9') {
        return null;
      }
      version = version * 10 + (b - '0');
    }
    if (bar < 1 || bytes.length < bar + 3 || bytes[bar + 2] != '|') {
      return null;
    }
    L1Entry.Kind kind = L1Entry.Kind.of((char) bytes[bar + 1]);
    if (kind == null || version < 0) {
      return null;
    }
    byte[] payload = new byte[bytes.length - bar - 3];
    System.arraycopy(bytes, bar + 3, payload, 0, payload.length);
    return new Stored(kind, version, payload);
  }

  /** Reads entries under the expected epoch; on a different epoch returns it with no entries. */
  Outcome read(long expectedEpoch, long initialEpoch, List<String> keys, List<byte @Nullable []> out) {
    String[] redisKeys = new String[keys.size() + 1];
    redisKeys[0] = epochKey;
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i + 1] = entryKey(expectedEpoch, keys.get(i));
    }
    List<Object> result = Script.READ.run(redis, redisKeys, ascii(expectedEpoch), ascii(initialEpoch));
    long epoch = parseLong(result.get(0));
    if (epoch != expectedEpoch) {
      return new Outcome(false, epoch, -1, List.of());
    }
    for (int i = 1; i < result.size(); i++) {
      out.add((byte[]) result.get(i));
    }
    while (out.size() < keys.size()) {
      out.add(null); // trailing nils are trimmed from a Lua array
    }
    return new Outcome(true, epoch, -1, List.of());
  }

  /** Fills entries (no hint). Decisions per entry: 1 written, 2 equal present, 0 refused as older. */
  Outcome fill(long expectedEpoch, long initialEpoch, List<String> keys, List<byte[]> entries,
      List<Long> ttlMillis) {
    String[] redisKeys = new String[keys.size() + 1];
    redisKeys[0] = epochKey;
    byte[][] args = new byte[2 + 2 * keys.size()][];
    args[0] = ascii(expectedEpoch);
    args[1] = ascii(initialEpoch);
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i + 1] = entryKey(expectedEpoch, keys.get(i));
      args[2 + 2 * i] = entries.get(i);
      args[3 + 2 * i] = ascii(ttlMillis.get(i));
    }
    List<Object> result = Script.FILL.run(redis, redisKeys, args);
    return outcome(result, 2, false);
  }

  /**
   * Writes values or tombstones, increments the sequence and publishes the hint built from the
   * template, in one script. Decisions as for {@link #fill}.
   */
  Outcome write(long expectedEpoch, long initialEpoch, HintCodec.Template hint, List<String> keys,
      List<byte[]> entries, List<Long> ttlMillis) {
    String[] redisKeys = new String[keys.size() + 2];
    redisKeys[0] = epochKey;
    redisKeys[1] = sequenceKey;
    byte[][] args = new byte[6 + 2 * keys.size()][];
    args[0] = ascii(expectedEpoch);
    args[1] = ascii(initialEpoch);
    args[2] = utf8(channel);
    args[3] = utf8(hint.head());
    args[4] = utf8(hint.middle());
    args[5] = utf8(hint.tail());
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i + 2] = entryKey(expectedEpoch, keys.get(i));
      args[6 + 2 * i] = entries.get(i);
      args[7 + 2 * i] = ascii(ttlMillis.get(i));
    }
    List<Object> result = Script.WRITE.run(redis, redisKeys, args);
    return outcome(result, 3, true);
  }

  /** Bumps the epoch and publishes an EPOCH hint; returns the new epoch and the sequence. */
  Outcome bumpEpoch(long initialEpoch, HintCodec.Template hint) {
    List<Object> result =
        Script.EPOCH.run(redis, new String[] {epochKey, sequenceKey}, ascii(initialEpoch),
            utf8(channel), utf8(hint.head()), utf8(hint.middle()), utf8(hint.tail()));
    return new Outcome(true, parseLong(result.get(0)), parseLong(result.get(1)), List.of());
  }

  /** The namespace's epoch and sequence as Redis has them now. */
  Outcome state(long initialEpoch) {
    List<Object> result =
        Script.STATE.run(redis, new String[] {epochKey, sequenceKey}, ascii(initialEpoch));
    return new Outcome(true, parseLong(result.get(0)), parseLong(result.get(1)), List.of());
  }

  /**
   * The namespace's L2 synchronisation point (see synced.lua): a change-log transaction id below
   * which every change of the namespace is in L2; {@code absent} when none was ever recorded.
   */
  long synced(long absent) {
    byte[] value = (byte[]) Script.SYNCED.run(redis, new String[] {syncedKey}, new byte[0],
        new byte[0]).get(0);
    return value == null || value.length == 0 ? absent : parseLong(value);
  }

  /**
   * Raises the synchronisation point to {@code txid} (a lower value leaves it as it is), unless it
   * is below {@code recorded} (what this instance raised it to before, -1 for nothing): then Redis
   * lost writes and the point stays. Returns its value before, -1 when it had none.
   */
  long advanceSynced(long txid, long recorded) {
    byte[] before = (byte[]) Script.SYNCED.run(redis, new String[] {syncedKey}, ascii(txid),
        recorded < 0 ? new byte[0] : ascii(recorded)).get(0);
    return before == null || before.length == 0 ? -1 : parseLong(before);
  }

  boolean tryLease(String key, String holder, long ttlMillis) {
    return "OK".equals(redis.set(leaseKey(key), utf8(holder), SetArgs.Builder.nx().px(ttlMillis)));
  }

  boolean leaseHeld(String key) {
    return redis.exists(leaseKey(key)) > 0;
  }

  void releaseLease(String key, String holder) {
    Script.RELEASE.run(redis, new String[] {leaseKey(key)}, utf8(holder));
  }

  private static Outcome outcome(List<Object> result, int firstDecision, boolean hasSequence) {
    boolean matched = parseLong(result.get(0)) == 1;
    long epoch = parseLong(result.get(1));
    if (!matched) {
      return new Outcome(false, epoch, -1, List.of());
    }
    long sequence = hasSequence ? parseLong(result.get(2)) : -1;
    List<Integer> decisions = new ArrayList<>(result.size() - firstDecision);
    for (int i = firstDecision; i < result.size(); i++) {
      decisions.add((int) parseLong(result.get(i)));
    }
    return new Outcome(true, epoch, sequence, decisions);
  }

  static long parseLong(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof byte[] bytes) {
      return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
    }
    throw new IllegalStateException("unexpected script result element " + value);
  }

  private static byte[] ascii(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
