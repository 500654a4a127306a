package dev.coherent.core.internal.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * An {@link L2Store} in memory with the rules of the Lua scripts (epoch guard, version-CAS via
 * {@link L2Entry#decide}, sequence, publish, synchronisation point), over a map whose keys are the
 * Redis keys {@link RedisL2Store} would use, so tests can look at and change "Redis" directly. It
 * can be switched off ({@link #down}) to simulate an outage, and run code at two points of a
 * script. TTLs are not enforced; published hints are recorded as {@code "<channel> <payload>"}.
 *
 * <p>Thread-safe: every operation runs under this object's lock, as a script runs alone in Redis.
 */
public final class InMemoryL2Store implements L2Store {
  public final Map<String, byte[]> data = new ConcurrentHashMap<>();
  public final List<String> published = new CopyOnWriteArrayList<>();
  public volatile boolean down;
  /**
   * Runs once, as the next read has its reply: what another thread does between Redis answering
   * an L2 read and the load using the answer.
   */
  public volatile @Nullable Runnable duringNextRead;
  /** Runs once, before the next write stores anything: what happens just before it. */
  public volatile @Nullable Runnable beforeNextWrite;

  private final String base;
  private final String channel;

  public InMemoryL2Store(String keyPrefix, String channelPrefix, String tenant, String namespace) {
    this.base = keyPrefix + ":{" + tenant + ":" + namespace + "}";
    this.channel = RedisL2Store.channel(channelPrefix, tenant, namespace);
  }

  @Override
  public String channel() {
    return channel;
  }

  /** The Redis key of an entry. */
  public String entryKey(long epoch, String key) {
    return base + ":e" + epoch + ":" + key;
  }

  public String epochKey() {
    return base + ":epoch";
  }

  public long epoch() {
    return Long.parseLong(new String(data.get(epochKey()), UTF_8));
  }

  public long sequence() {
    byte[] s = data.get(base + ":seq");
    return s == null ? 0 : Long.parseLong(new String(s, UTF_8));
  }

  /** Stores an encoded entry under the current epoch, bypassing every rule. */
  public void putEntry(String key, String encoded) {
    data.put(entryKey(epoch(), key), encoded.getBytes(UTF_8));
  }

  /** The encoded entry under the current epoch, or null. */
  public @Nullable String entry(String key) {
    byte[] bytes = data.get(entryKey(epoch(), key));
    return bytes == null ? null : new String(bytes, UTF_8);
  }

  @Override
  public synchronized ReadReply read(long expectedEpoch, long initialEpoch, List<String> keys) {
    check();
    long e = epochOf(initialEpoch);
    if (e != expectedEpoch) {
      return new ReadReply(false, e, List.of());
    }
    List<byte @Nullable []> entries = new ArrayList<>(keys.size());
    for (String key : keys) {
      entries.add(data.get(entryKey(e, key)));
    }
    Runnable during = duringNextRead; // after Redis answered, before the reply is used
    duringNextRead = null;
    if (during != null) {
      during.run();
    }
    return new ReadReply(true, e, entries);
  }

  @Override
  public synchronized WriteReply fill(long expectedEpoch, long initialEpoch, List<String> keys,
      List<byte[]> entries, List<Long> ttlMillis) {
    check();
    long e = epochOf(initialEpoch);
    if (e != expectedEpoch) {
      return new WriteReply(false, e, List.of());
    }
    return new WriteReply(true, e, store(e, keys, entries));
  }

  @Override
  public synchronized WriteReply write(long expectedEpoch, long initialEpoch,
      HintCodec.Template hint, List<String> keys, List<byte[]> entries, List<Long> ttlMillis) {
    check();
    Runnable before = beforeNextWrite;
    beforeNextWrite = null;
    if (before != null) {
      before.run();
    }
    long e = epochOf(initialEpoch);
    if (e != expectedEpoch) {
      return new WriteReply(false, e, List.of());
    }
    List<Decision> decisions = store(e, keys, entries);
    long s = incr(base + ":seq");
    publish(hint, e, s);
    return new WriteReply(true, e, decisions);
  }

  @Override
  public synchronized EpochState bumpEpoch(long initialEpoch, HintCodec.Template hint) {
    check();
    epochOf(initialEpoch);
    long e = incr(epochKey());
    long s = incr(base + ":seq");
    publish(hint, e, s);
    return new EpochState(e, s);
  }

  @Override
  public synchronized EpochState state(long initialEpoch) {
    check();
    return new EpochState(epochOf(initialEpoch), sequence());
  }

  @Override
  public synchronized long synced(long absent) {
    check();
    byte[] value = data.get(base + ":synced");
    return value == null ? absent : Long.parseLong(new String(value, UTF_8));
  }

  @Override
  public synchronized long advanceSynced(long txid, long recorded) {
    check();
    long before = synced(-1);
    boolean regressed = recorded >= 0 && before < recorded;
    if (!regressed && txid > before) {
      data.put(base + ":synced", Long.toString(txid).getBytes(UTF_8));
    }
    return before;
  }

  @Override
  public synchronized boolean tryLease(String key, String holder, long ttlMillis) {
    check();
    return data.putIfAbsent(base + ":lease:" + key, holder.getBytes(UTF_8)) == null;
  }

  @Override
  public synchronized boolean leaseHeld(String key) {
    check();
    return data.containsKey(base + ":lease:" + key);
  }

  @Override
  public synchronized void releaseLease(String key, String holder) {
    check();
    byte[] current = data.get(base + ":lease:" + key);
    if (current != null && new String(current, UTF_8).equals(holder)) {
      data.remove(base + ":lease:" + key);
    }
  }

  private void check() {
    if (down) {
      throw new RedisException("Connection closed (in-memory outage)");
    }
  }

  private List<Decision> store(long epoch, List<String> keys, List<byte[]> entries) {
    List<Decision> decisions = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      String key = entryKey(epoch, keys.get(i));
      Decision d = L2Entry.decide(L2Entry.decode(data.get(key)), L2Entry.decode(entries.get(i)));
      if (d == Decision.STORED) {
        data.put(key, entries.get(i));
      }
      decisions.add(d);
    }
    return decisions;
  }

  private long epochOf(long initial) {
    return Long.parseLong(new String(
        data.computeIfAbsent(epochKey(), k -> Long.toString(initial).getBytes(UTF_8)), UTF_8));
  }

  private long incr(String key) {
    byte[] old = data.get(key);
    long next = (old == null ? 0 : Long.parseLong(new String(old, UTF_8))) + 1;
    data.put(key, Long.toString(next).getBytes(UTF_8));
    return next;
  }

  private void publish(HintCodec.Template hint, long epoch, long sequence) {
    published.add(channel + " " + hint.head() + epoch + hint.middle() + sequence + hint.tail());
  }
}
