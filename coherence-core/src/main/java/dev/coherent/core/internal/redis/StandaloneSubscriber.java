package dev.coherent.core.internal.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;

/**
 * The Pub/Sub connection to a standalone Redis: classic {@code SUBSCRIBE}; Lettuce resubscribes
 * the channels after a reconnect by itself, so {@link #maintain} has nothing to do.
 *
 * <p>Thread-safe: Lettuce's connection is; the listener runs on the event loop and only forwards.
 */
final class StandaloneSubscriber implements HintSubscriber {
  private final StatefulRedisPubSubConnection<String, String> pubsub;

  StandaloneSubscriber(StatefulRedisPubSubConnection<String, String> pubsub,
      RedisConnections.Events events) {
    this.pubsub = pubsub;
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
  }

  @Override
  public void subscribe(String channel) {
    pubsub.sync().subscribe(channel);
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
    return connection == pubsub;
  }

  @Override
  public void disconnected() {
    // Lettuce reconnects and resubscribes; each namespace reconciles on its subscribed() event.
  }

  @Override
  public void maintain() {}

  @Override
  public void close() {
    pubsub.close();
  }
}
