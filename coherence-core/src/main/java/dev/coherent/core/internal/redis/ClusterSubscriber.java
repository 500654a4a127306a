package dev.coherent.core.internal.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pub/Sub connection to a Redis Cluster. Sharded: one {@code SSUBSCRIBE} per channel, which
 * Lettuce routes to the node that owns the channel's slot. Classic: {@code SUBSCRIBE} on the
 * connection's default node ({@code PUBLISH} reaches every node), resubscribed by Lettuce after a
 * reconnect, which picks a node of the current topology.
 *
 * <p>A sharded subscription can be lost while its connection stays up: when a slot changes owner
 * (failover, migration) the old owner pushes an {@code sunsubscribe}, and Lettuce 7.7 does not
 * subscribe again (redis/lettuce#3213). And the connection to a killed master reconnects to its
 * dead address until the topology drops it, so Lettuce's own resubscription never happens. Both
 * mark channels lost: an unasked {@code sunsubscribe} that channel (Coherent never unsubscribes),
 * a dropped node connection every channel. {@link #maintain} refreshes the topology and subscribes
 * them again, routed to the current owners, until each is confirmed; a confirmation is a {@code
 * subscribed} event, on which the namespace reconciles what it may have missed.
 *
 * <p>Thread-safety: {@code channels} and {@code lost} are concurrent sets; the listeners run on
 * the event loop and only add to {@code lost} and forward; {@link #maintain} runs on the
 * maintenance thread.
 */
final class ClusterSubscriber implements HintSubscriber {
  private static final Logger log = LoggerFactory.getLogger(ClusterSubscriber.class);

  private final RedisClusterClient client;
  private final StatefulRedisClusterPubSubConnection<String, String> pubsub;
  private final boolean sharded;
  private final RedisConnections.Events events;
  private final Set<String> channels = ConcurrentHashMap.newKeySet();
  private final Set<String> lost = ConcurrentHashMap.newKeySet();

  ClusterSubscriber(RedisClusterClient client,
      StatefulRedisClusterPubSubConnection<String, String> pubsub, boolean sharded,
      RedisConnections.Events events) {
    this.client = client;
    this.pubsub = pubsub;
    this.sharded = sharded;
    this.events = events;
    // Lettuce 7.7 hands every Pub/Sub event of the cluster connection, the default node's
    // included, to cluster listeners, and to plain listeners as well: with one of each, every
    // hint, classic or sharded, was delivered twice (seen by ClusterHostileHintsIntegrationTests
    // and the cluster benchmark's meters). So events are taken from one cluster listener only.
    pubsub.addListener(new RedisClusterPubSubAdapter<>() {
      @Override
      public void message(RedisClusterNode node, String channel, String message) {
        events.message(channel, message);
      }

      @Override
      public void smessage(RedisClusterNode node, String channel, String message) {
        events.message(channel, message);
      }

      @Override
      public void subscribed(RedisClusterNode node, String channel, long count) {
        events.subscribed(channel);
      }

      @Override
      public void ssubscribed(RedisClusterNode node, String channel, long count) {
        events.subscribed(channel);
      }

      @Override
      public void sunsubscribed(RedisClusterNode node, String channel, long count) {
        unsubscribedByRedis(channel, node);
      }
    });
  }

  private void unsubscribedByRedis(String channel, RedisClusterNode node) {
    if (channels.contains(channel) && lost.add(channel)) {
      log.info("hint channel {} unsubscribed by Redis{} (its slot moved): subscribing on the new"
          + " owner", channel, node == null ? "" : " node " + node.getUri());
      events.channelLost(channel);
    }
  }

  @Override
  public void subscribe(String channel) {
    channels.add(channel);
    try {
      if (sharded) {
        pubsub.sync().ssubscribe(channel);
      } else {
        pubsub.sync().subscribe(channel);
      }
    } catch (RuntimeException e) {
      channels.remove(channel);
      throw e;
    }
  }

  @Override
  public CompletableFuture<?> ping() {
    return pubsub.async().ping().toCompletableFuture();
  }

  @Override
  public boolean isOpen() {
    return pubsub.isOpen();
  }

  @Override
  public boolean owns(RedisChannelHandler<?, ?> connection) {
    // The node connections of this client's Pub/Sub connection (a shared client's own Pub/Sub
    // connections count too: one more resubscription of every channel, no harm).
    return connection == pubsub || connection instanceof StatefulRedisPubSubConnection;
  }

  @Override
  public void disconnected() {
    if (sharded) {
      for (String channel : channels) {
        if (lost.add(channel)) {
          events.channelLost(channel);
        }
      }
    }
  }

  /** Channels lost and not yet subscribed again (for tests and logs). */
  int lostChannels() {
    return lost.size();
  }

  @Override
  public void maintain() {
    if (lost.isEmpty()) {
      return;
    }
    try {
      client.refreshPartitions();
    } catch (RedisException e) {
      log.debug("cluster topology refresh failed: {}", e.toString());
    }
    for (String channel : lost) {
      try {
        pubsub.sync().ssubscribe(channel);
        lost.remove(channel);
      } catch (RedisException e) {
        log.debug("resubscribing hint channel {} failed (retried): {}", channel, e.toString());
      }
    }
  }

  @Override
  public void close() {
    pubsub.close();
  }
}
