package dev.coherent.core;

import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw subscriber on one hint channel of the shared test Redis: every message published there, as
 * any Redis client sees it. Close it after the test. Thread-safe (messages arrive on Lettuce's
 * event loop into a copy-on-write list).
 */
final class HintTap implements AutoCloseable {
  final List<String> messages = new CopyOnWriteArrayList<>();
  private final RedisClient client = RedisClient.create(Services.redis().uri());
  private final StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub();

  /** Subscribes to {@code pubsub:v1:cache-invalidate:<namespace>:<tenant>} before it returns. */
  HintTap(String namespace, String tenant) {
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        messages.add(message);
      }
    });
    pubsub.sync().subscribe("pubsub:v1:cache-invalidate:" + namespace + ":" + tenant);
  }

  @Override
  public void close() {
    pubsub.close();
    client.shutdown();
  }
}
