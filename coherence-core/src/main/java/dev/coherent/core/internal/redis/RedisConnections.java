package dev.coherent.core.internal.redis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.internal.RuntimeSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime's two Redis connections: one command connection that every namespace's {@link
 * RedisL2Store} shares, and one Pub/Sub connection for every namespace's hint channel. The client
 * fails fast while disconnected (a read then goes to the source instead of queueing) and
 * reconnects by itself; Lettuce resubscribes the channels after a reconnect.
 *
 * <p>Thread-safety: Lettuce's connections are thread-safe; {@link Events} are called on Lettuce's
 * event loop threads and must not block.
 */
public final class RedisConnections implements AutoCloseable {

  /** What the Pub/Sub connection reports. Called on an event loop thread: never block. */
  public interface Events {
    void message(String channel, String payload);

    void subscribed(String channel);

    /** The Pub/Sub connection dropped: no hint arrives until it is back and resubscribed. */
    void subscriberDisconnected();

    /** The Pub/Sub connection is back after a drop (resubscription follows). */
    void subscriberReconnected();
  }

  private final RuntimeSettings settings;
  private final RedisURI uri;
  private final RedisClient client;
  private final boolean ownsClient;
  private final StatefulRedisConnection<String, byte[]> commands;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final RedisConnectionStateListener connectionListener;
  private volatile boolean subscriberWasDown;

  /**
   * Connects both connections.
   *
   * @throws IllegalStateException naming the (redacted) URI if Redis cannot be reached
   */
  public RedisConnections(RuntimeSettings settings, Events events) {
    this.settings = settings;
    this.ownsClient = settings.client() == null;
    RedisURI target = RedisURI.builder(settings.uri()).build();
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
    this.uri = target;
    RedisClient given = settings.client();
    if (given == null) {
      this.client = settings.clientResources() == null ? RedisClient.create()
          : RedisClient.create(settings.clientResources());
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .autoReconnect(true)
          .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
          .build());
    } else {
      this.client = given;
    }
    try {
      this.commands =
          client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), target);
      commands.setTimeout(settings.commandTimeout());
      this.pubsub = client.connectPubSub(StringCodec.UTF8, target);
    } catch (RedisException e) {
      if (ownsClient) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      }
      throw new IllegalStateException("Coherent cannot connect to Redis at " + redacted() + ": "
          + RuntimeSettings.rootMessage(e) + " (check the Redis URI, credentials and TLS settings)",
          e);
    }
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        events.message(channel, message);
      }

      @Override
      public void subscribed(String channel, long count) {
        events.subscribed(channel);
      }
    });
    this.connectionListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == pubsub) {
          subscriberWasDown = true;
          events.subscriberDisconnected();
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (connection == pubsub && subscriberWasDown) {
          subscriberWasDown = false;
          events.subscriberReconnected();
        }
      }
    };
    client.addListener(connectionListener);
  }

  /** The L2 store of {@code namespace}, on the shared command connection. */
  public L2Store store(String namespace) {
    return new RedisL2Store(commands.sync(), settings.keyPrefix(), settings.channelPrefix(),
        settings.tenant(), namespace);
  }

  /** The update timestamps of {@code scope}, on the shared command connection. */
  public RedisUpdateTimestamps updateTimestamps(String scope, Ticker ticker) {
    return new RedisUpdateTimestamps(commands.sync(), ticker, settings.keyPrefix(),
        settings.tenant(), scope);
  }

  /** Subscribes to a channel and waits for Redis to confirm it. */
  public void subscribe(String channel) {
    pubsub.sync().subscribe(channel);
  }

  /** A PING on the Pub/Sub connection, answered asynchronously (the liveness check). */
  public CompletableFuture<?> pingSubscriber() {
    return pubsub.async().ping().toCompletableFuture();
  }

  public boolean subscriberConnected() {
    return pubsub.isOpen();
  }

  /** Whether Redis answers a PING now; blocks for up to the command timeout. */
  public boolean reachable() {
    try {
      return "PONG".equals(new String(commands.sync().ping().getBytes()));
    } catch (RedisException e) {
      return false;
    }
  }

  /** {@code redis[s]://host:port}: the URI without credentials, for logs and errors. */
  public String redacted() {
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
  }

  /** Stops reporting events (first in a shutdown: nothing reacts to the connections closing). */
  public void mute() {
    client.removeListener(connectionListener);
  }

  @Override
  public void close() {
    mute();
    pubsub.close();
    commands.close();
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
