package dev.coherent.core.internal.redis;

import io.lettuce.core.RedisChannelHandler;
import java.util.concurrent.CompletableFuture;

/**
 * The Pub/Sub side of {@link RedisConnections}: standalone ({@link StandaloneSubscriber}) or a
 * cluster's ({@link ClusterSubscriber}). Implementations report what happens to {@link
 * RedisConnections.Events} and are thread-safe.
 */
interface HintSubscriber {
  /** Subscribes to a hint channel and waits for Redis to confirm it. */
  void subscribe(String channel);

  /** A PING on the subscriber's connection, answered asynchronously (the liveness check). */
  CompletableFuture<?> ping();

  boolean isOpen();

  /** Whether {@code connection} is one of this subscriber's connections. */
  boolean owns(RedisChannelHandler<?, ?> connection);

  /** One of its connections dropped (event loop: never block). */
  void disconnected();

  /** Re-establishes subscriptions that Redis or a failover took away. Maintenance thread. */
  void maintain();

  void close();
}
