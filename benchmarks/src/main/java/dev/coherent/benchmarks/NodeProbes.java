package dev.coherent.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One raw Pub/Sub subscriber per Redis node, each on its own plain (non-cluster) Lettuce
 * connection to that node, counting the messages that node pushes to it: classic ones ({@code
 * message}, from {@code SUBSCRIBE}) and sharded ones ({@code smessage}, from {@code SSUBSCRIBE})
 * apart. A node pushes a message to a subscriber only if that node itself delivers it, so the
 * counts are exactly the messages each node delivers to one subscriber of each channel.
 *
 * <p>Thread-safe: the counters are atomics written on Lettuce's event loop.
 */
final class NodeProbes implements AutoCloseable {

  /** Messages one node delivered since the last {@link #reset}. */
  record Counts(long classic, long sharded) {}

  /**
   * A node to probe and its channels.
   *
   * @param label how results name the node
   * @param uri the node's own URI
   * @param classic channels to {@code SUBSCRIBE} (any node accepts them)
   * @param sharded channels to {@code SSUBSCRIBE}, each separately (a node accepts only those of
   *     its own shard's slots; one command cannot span slots)
   */
  record Target(String label, RedisURI uri, List<String> classic, List<String> sharded) {}

  private final RedisClient client = RedisClient.create();
  private final Map<String, AtomicLong[]> counters = new LinkedHashMap<>();
  private final List<StatefulRedisPubSubConnection<String, String>> connections = new ArrayList<>();
  private final List<Target> targets = new ArrayList<>();

  private NodeProbes() {}

  /** Subscribes on every target; returns once every node has confirmed every subscription. */
  static NodeProbes open(List<Target> targets) {
    NodeProbes probes = new NodeProbes();
    try {
      for (Target t : targets) {
        probes.subscribe(t);
      }
      return probes;
    } catch (RuntimeException e) {
      probes.close();
      throw e;
    }
  }

  private void subscribe(Target target) {
    targets.add(target);
    AtomicLong[] count = {new AtomicLong(), new AtomicLong()};
    counters.put(target.label(), count);
    StatefulRedisPubSubConnection<String, String> c = client.connectPubSub(target.uri());
    connections.add(c);
    c.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        count[0].incrementAndGet();
      }

      @Override
      public void smessage(String channel, String message) {
        count[1].incrementAndGet();
      }
    });
    if (!target.classic().isEmpty()) {
      c.sync().subscribe(target.classic().toArray(String[]::new));
    }
    for (String channel : target.sharded()) {
      c.sync().ssubscribe(channel);
    }
  }

  /** The counts per node label, in the targets' order. */
  Map<String, Counts> counts() {
    Map<String, Counts> m = new LinkedHashMap<>();
    counters.forEach((label, c) -> m.put(label, new Counts(c[0].get(), c[1].get())));
    return m;
  }

  /**
   * Per node label, the subscribers the node has now, summed over the probed channels ({@code
   * PUBSUB NUMSUB} of the classic ones, {@code PUBSUB SHARDNUMSUB} of the sharded ones), the
   * probes' own subscriptions included.
   */
  Map<String, Counts> subscribers() {
    Map<String, Counts> m = new LinkedHashMap<>();
    for (Target t : targets) {
      try (StatefulRedisConnection<String, String> c = client.connect(t.uri())) {
        long classic = t.classic().isEmpty() ? 0 : c.sync()
            .pubsubNumsub(t.classic().toArray(String[]::new)).values().stream()
            .mapToLong(Long::longValue).sum();
        long sharded = 0;
        for (String channel : t.sharded()) {
          sharded += c.sync().pubsubShardNumsub(channel).getOrDefault(channel, 0L);
        }
        m.put(t.label(), new Counts(classic, sharded));
      }
    }
    return m;
  }

  /** Per node label, the channels its probe subscribed (classic, sharded). */
  Map<String, Counts> probeSubscriptions() {
    Map<String, Counts> m = new LinkedHashMap<>();
    for (Target t : targets) {
      m.put(t.label(), new Counts(t.classic().size(), t.sharded().size()));
    }
    return m;
  }

  void reset() {
    for (AtomicLong[] c : counters.values()) {
      c[0].set(0);
      c[1].set(0);
    }
  }

  @Override
  public void close() {
    for (StatefulRedisPubSubConnection<String, String> c : connections) {
      Fixtures.close(c);
    }
    client.shutdown();
  }
}
