package dev.coherent.core.internal.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link L2Store} of one namespace in Redis: key layout, channel name and the script calls
 * (docs/protocol.md). Every key of a namespace shares the hash tag {@code {tenant:namespace}} so
 * the scripts run on Redis Cluster; with sharded hints the channel carries that tag too and the
 * scripts publish with {@code SPUBLISH} (the channel is then in the namespace's slot, the only
 * one a script may publish to). Entries are {@link L2Entry}s.
 *
 * <p>Thread-safe: holds only immutable strings and the thread-safe Lettuce command interface
 * (the standalone {@code RedisCommands} or the cluster's, both {@code RedisClusterCommands}).
 */
public final class RedisL2Store implements L2Store {
  private final RedisClusterCommands<String, byte[]> redis;
  private final String base;
  private final String epochKey;
  private final String sequenceKey;
  private final String syncedKey;
  private final String channel;
  private final Script writeScript;
  private final Script epochScript;

  /**
   * The store of {@code namespace}: keys under {@code <keyPrefix>:{<tenant>:<namespace>}}, hints
   * published with {@code PUBLISH} on {@code <channelPrefix>:v1:cache-invalidate:<namespace>:<tenant>}.
   */
  public RedisL2Store(RedisClusterCommands<String, byte[]> redis, String keyPrefix,
      String channelPrefix, String tenant, String namespace) {
    this(redis, keyPrefix, channelPrefix, tenant, namespace, false);
  }

  /**
   * As {@link #RedisL2Store(RedisClusterCommands, String, String, String, String)}, or with
   * {@code sharded} hints: {@code SPUBLISH} on {@link #shardedChannel}.
   */
  public RedisL2Store(RedisClusterCommands<String, byte[]> redis, String keyPrefix,
      String channelPrefix, String tenant, String namespace, boolean sharded) {
    this.redis = redis;
    this.writeScript = sharded ? Script.WRITE_SHARDED : Script.WRITE;
    this.epochScript = sharded ? Script.EPOCH_SHARDED : Script.EPOCH;
    this.base = keyPrefix + ":{" + tenant + ":" + namespace + "}";
    this.epochKey = base + ":epoch";
    this.sequenceKey = base + ":seq";
    this.syncedKey = base + ":synced";
    this.channel = sharded ? shardedChannel(channelPrefix, tenant, namespace)
        : channel(channelPrefix, tenant, namespace);
  }

  /** The channel of a namespace's hints: {@code <prefix>:v1:cache-invalidate:<namespace>:<tenant>}. */
  public static String channel(String channelPrefix, String tenant, String namespace) {
    return channelPrefix + ":v" + HintCodec.SCHEMA_VERSION + ":cache-invalidate:" + namespace + ":"
        + tenant;
  }

  /**
   * The sharded channel of a namespace's hints, in the slot of its keys: {@code
   * <prefix>:v1:cache-invalidate:{<tenant>:<namespace>}} (docs/protocol.md, "Hint channels").
   */
  public static String shardedChannel(String channelPrefix, String tenant, String namespace) {
    return channelPrefix + ":v" + HintCodec.SCHEMA_VERSION + ":cache-invalidate:{" + tenant + ":"
        + namespace + "}";
  }

  @Override
  public String channel() {
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

  @Override
  public ReadReply read(long expectedEpoch, long initialEpoch, List<String> keys) {
    String[] redisKeys = new String[keys.size() + 1];
    redisKeys[0] = epochKey;
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i + 1] = entryKey(expectedEpoch, keys.get(i));
    }
    List<Object> result = Script.READ.run(redis, redisKeys, ascii(expectedEpoch), ascii(initialEpoch));
    long epoch = parseLong(result.get(0));
    if (epoch != expectedEpoch) {
      return new ReadReply(false, epoch, List.of());
    }
    List<byte @Nullable []> out = new ArrayList<>(keys.size());
    for (int i = 1; i < result.size(); i++) {
      out.add((byte[]) result.get(i));
    }
    while (out.size() < keys.size()) {
      out.add(null); // trailing nils are trimmed from a Lua array
    }
    return new ReadReply(true, epoch, out);
  }

  @Override
  public WriteReply fill(long expectedEpoch, long initialEpoch, List<String> keys, List<byte[]> entries,
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
    return reply(result, 2);
  }

  @Override
  public WriteReply write(long expectedEpoch, long initialEpoch, HintCodec.Template hint, List<String> keys,
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
    List<Object> result = writeScript.run(redis, redisKeys, args);
    return reply(result, 3);
  }

  @Override
  public EpochState bumpEpoch(long initialEpoch, HintCodec.Template hint) {
    List<Object> result =
        epochScript.run(redis, new String[] {epochKey, sequenceKey}, ascii(initialEpoch),
            utf8(channel), utf8(hint.head()), utf8(hint.middle()), utf8(hint.tail()));
    return new EpochState(parseLong(result.get(0)), parseLong(result.get(1)));
  }

  @Override
  public EpochState state(long initialEpoch) {
    List<Object> result =
        Script.STATE.run(redis, new String[] {epochKey, sequenceKey}, ascii(initialEpoch));
    return new EpochState(parseLong(result.get(0)), parseLong(result.get(1)));
  }

  @Override
  public long synced(long absent) {
    byte[] value = (byte[]) Script.SYNCED.run(redis, new String[] {syncedKey}, new byte[0],
        new byte[0]).get(0);
    return value == null || value.length == 0 ? absent : parseLong(value);
  }

  @Override
  public long advanceSynced(long txid, long recorded) {
    byte[] before = (byte[]) Script.SYNCED.run(redis, new String[] {syncedKey}, ascii(txid),
        recorded < 0 ? new byte[0] : ascii(recorded)).get(0);
    return before == null || before.length == 0 ? -1 : parseLong(before);
  }

  @Override
  public boolean tryLease(String key, String holder, long ttlMillis) {
    return "OK".equals(redis.set(leaseKey(key), utf8(holder), SetArgs.Builder.nx().px(ttlMillis)));
  }

  @Override
  public boolean leaseHeld(String key) {
    return redis.exists(leaseKey(key)) > 0;
  }

  @Override
  public void releaseLease(String key, String holder) {
    Script.RELEASE.run(redis, new String[] {leaseKey(key)}, utf8(holder));
  }

  private static WriteReply reply(List<Object> result, int firstDecision) {
    boolean matched = parseLong(result.get(0)) == 1;
    long epoch = parseLong(result.get(1));
    if (!matched) {
      return new WriteReply(false, epoch, List.of());
    }
    List<Decision> decisions = new ArrayList<>(result.size() - firstDecision);
    for (int i = firstDecision; i < result.size(); i++) {
      decisions.add(DECISIONS[(int) parseLong(result.get(i))]);
    }
    return new WriteReply(true, epoch, decisions);
  }

  /** By the scripts' codes: 0 refused, 1 written, 2 equal present. */
  private static final Decision[] DECISIONS = {Decision.REFUSED, Decision.STORED, Decision.EQUAL};

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
