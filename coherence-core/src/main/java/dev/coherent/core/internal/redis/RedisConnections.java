package dev.coherent.core.internal.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.ClusterHints;
import dev.coherent.core.internal.RuntimeSettings;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A runtime's two Redis connections, to a standalone server or a Redis Cluster: one command
 * connection that every namespace's {@link RedisL2Store} shares, and one Pub/Sub connection for
 * every namespace's hint channel ({@link HintSubscriber}). The client fails fast while
 * disconnected (a read then goes to the source instead of queueing) and reconnects by itself.
 * Both kinds of Redis go through one command interface, Lettuce's {@link RedisClusterCommands}
 * (the standalone {@code RedisCommands} extends it), so the stores and scripts have one code path;
 * a cluster client routes each script by its first key's slot and follows MOVED and ASK.
 *
 * <p>Thread-safety: Lettuce's connections are thread-safe; {@link Events} are called on Lettuce's
 * event loop threads and must not block; {@link #maintain} runs on the maintenance thread.
 */
public final class RedisConnections implements AutoCloseable {
  /**
   * How often a cluster client re-reads the topology besides its adaptive triggers (MOVED, ASK,
   * persistent reconnects): a killed master's slots are found on the promoted replica within
   * about this after the promotion, even when no command has hit a MOVED yet.
   */
  static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(2);

  /** What the Pub/Sub connection reports. Called on an event loop thread: never block. */
  public interface Events {
    void message(String channel, String payload);

    void subscribed(String channel);

    /** The Pub/Sub connection dropped: no hint arrives until it is back and resubscribed. */
    void subscriberDisconnected();

    /** The Pub/Sub connection is back after a drop (resubscription follows). */
    void subscriberReconnected();

    /**
     * A cluster took one channel's subscription away (its slot moved, or its node's connection
     * dropped): no hint of it arrives until it is subscribed again on the new owner, which is
     * reported as {@link #subscribed}.
     */
    void channelLost(String channel);
  }

  private final RuntimeSettings settings;
  private final String redacted;
  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private final StatefulConnection<String, byte[]> commandConnection;
  private final RedisClusterCommands<String, byte[]> commands;
  private final boolean sharded;
  private final HintSubscriber subscriber;
  private final RedisConnectionStateListener connectionListener;
  private volatile boolean subscriberWasDown;

  /**
   * Connects both connections.
   *
   * @throws IllegalStateException naming the (redacted) URI if Redis cannot be reached, or the
   *     cluster cannot carry {@link ClusterHints#SHARDED} hints
   */
  public RedisConnections(RuntimeSettings settings, Events events) {
    this.settings = settings;
    boolean cluster = settings.cluster();
    this.sharded = cluster && settings.clusterHints() == ClusterHints.SHARDED;
    AbstractRedisClient given = cluster ? settings.clusterClient() : settings.client();
    this.ownsClient = given == null;
    RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    HintSubscriber sub;
    StatefulConnection<String, byte[]> connection;
    if (cluster) {
      List<RedisURI> seeds = new ArrayList<>();
      settings.clusterSeeds().forEach(seed -> seeds.add(target(seed)));
      this.redacted = seeds.isEmpty() ? "the given RedisClusterClient's seeds"
          : seeds.stream().map(RedisConnections::redact).collect(Collectors.joining(", ",
              "cluster [", "]"));
      RedisClusterClient clusterClient = settings.clusterClient() != null
          ? settings.clusterClient() : settings.clientResources() == null
              ? RedisClusterClient.create(seeds)
              : RedisClusterClient.create(settings.clientResources(), seeds);
      if (ownsClient) {
        clusterClient.setOptions(ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .autoReconnect(true)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                .enableAllAdaptiveRefreshTriggers()
                .build())
            .build());
      }
      this.client = clusterClient;
      try {
        StatefulRedisClusterConnection<String, byte[]> c = clusterClient.connect(codec);
        c.setTimeout(settings.commandTimeout());
        connection = c;
        this.commands = c.sync();
        // Node connections open lazily, and a command sent while one is still opening is
        // rejected (fail-fast): open one to every master now, so that the namespaces' first
        // commands find them ready.
        for (RedisClusterNode node : c.getPartitions()) {
          if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
            c.getConnection(node.getUri().getHost(), node.getUri().getPort()).sync().ping();
          }
        }
        StatefulRedisClusterPubSubConnection<String, String> pubsub =
            clusterClient.connectPubSub(StringCodec.UTF8);
        if (sharded) {
          for (RedisClusterNode node : pubsub.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
              pubsub.getConnection(node.getNodeId()).sync().ping();
              pubsub.getConnection(node.getUri().getHost(), node.getUri().getPort()).sync().ping();
            }
          }
        }
        sub = new ClusterSubscriber(clusterClient, pubsub, sharded, events);
        if (sharded && !knowsShardedPubSub(pubsub)) {
          sub.close();
          c.close();
          if (ownsClient) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
          }
          throw new IllegalStateException("Coherent cannot use sharded hints on Redis "
              + redacted + ": the server does not know SPUBLISH (sharded Pub/Sub needs Redis 7"
              + " or later); upgrade the cluster or configure clusterHints(ClusterHints.CLASSIC)");
        }
      } catch (RedisException e) {
        throw connectFailed(e);
      }
    } else {
      RedisURI target = target(settings.uri());
      this.redacted = redact(target);
      RedisClient standalone = settings.client();
      if (standalone == null) {
        standalone = settings.clientResources() == null ? RedisClient.create()
            : RedisClient.create(settings.clientResources());
        standalone.setOptions(ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .autoReconnect(true)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            .build());
      }
      this.client = standalone;
      try {
        StatefulRedisConnection<String, byte[]> c = standalone.connect(codec, target);
        c.setTimeout(settings.commandTimeout());
        connection = c;
        this.commands = c.sync();
        sub = new StandaloneSubscriber(standalone.connectPubSub(StringCodec.UTF8, target), events);
      } catch (RedisException e) {
        throw connectFailed(e);
      }
    }
    this.commandConnection = connection;
    this.subscriber = sub;
    this.connectionListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (subscriber.owns(connection)) {
          subscriberWasDown = true;
          events.subscriberDisconnected();
          subscriber.disconnected();
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (subscriberWasDown && subscriber.owns(connection)) {
          subscriberWasDown = false;
          events.subscriberReconnected();
        }
      }
    };
    client.addListener(connectionListener);
  }

  /** A seed or the URI with the configured credentials, command timeout and client name. */
  private RedisURI target(RedisURI uri) {
    RedisURI target = RedisURI.builder(uri).build();
    char[] password = settings.password();
    if (password != null) {
      if (settings.username() != null) {
        target.setAuthentication(settings.username(), password);
      } else {
        target.setAuthentication(password);
      }
    }
    target.setTimeout(settings.commandTimeout());
    // CLIENT LIST shows which instance a connection belongs to (operators, fault scenarios).
    target.setClientName(settings.instanceId());
    return target;
  }

  private IllegalStateException connectFailed(RedisException e) {
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
    return new IllegalStateException("Coherent cannot connect to Redis at " + redacted + ": "
        + RuntimeSettings.rootMessage(e) + " (check the Redis URI, credentials and TLS settings)",
        e);
  }

  /** Whether the server knows SPUBLISH (Redis 7+): {@code COMMAND INFO} answers nil if not. */
  private static boolean knowsShardedPubSub(
      StatefulRedisClusterPubSubConnection<String, String> pubsub) {
    List<Object> info = pubsub.sync().commandInfo("SPUBLISH");
    return !info.isEmpty() && info.get(0) != null;
  }

  /** Whether hints go by sharded Pub/Sub (a cluster with {@link ClusterHints#SHARDED}). */
  public boolean shardedHints() {
    return sharded;
  }

  /** The L2 store of {@code namespace}, on the shared command connection. */
  public L2Store store(String namespace) {
    return new RedisL2Store(commands, settings.keyPrefix(), settings.channelPrefix(),
        settings.tenant(), namespace, sharded);
  }

  /** The update timestamps of {@code scope}, on the shared command connection. */
  public RedisUpdateTimestamps updateTimestamps(String scope, Ticker ticker) {
    return new RedisUpdateTimestamps(commands, ticker, settings.keyPrefix(), settings.tenant(),
        scope);
  }

  /** Subscribes to a channel and waits for Redis to confirm it. */
  public void subscribe(String channel) {
    subscriber.subscribe(channel);
  }

  /** Subscribes again what a cluster took away (see {@link ClusterSubscriber}). Maintenance. */
  public void maintain() {
    subscriber.maintain();
  }

  /** A PING on the Pub/Sub connection, answered asynchronously (the liveness check). */
  public CompletableFuture<?> pingSubscriber() {
    return subscriber.ping();
  }

  public boolean subscriberConnected() {
    return subscriber.isOpen();
  }

  /** Whether Redis answers a PING now; blocks for up to the command timeout. */
  public boolean reachable() {
    try {
      return "PONG".equals(new String(commands.ping().getBytes()));
    } catch (RedisException e) {
      return false;
    }
  }

  /** {@code redis[s]://host:port} (or the cluster's seeds): without credentials, for logs. */
  public String redacted() {
    return redacted;
  }

  private static String redact(RedisURI uri) {
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
  }

  /** Stops reporting events (first in a shutdown: nothing reacts to the connections closing). */
  public void mute() {
    client.removeListener(connectionListener);
  }

  @Override
  public void close() {
    mute();
    subscriber.close();
    commandConnection.close();
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
