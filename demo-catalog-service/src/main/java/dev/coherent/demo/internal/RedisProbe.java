package dev.coherent.demo.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * PINGs Redis over one connection that it keeps between checks and drops on any failure, so a
 * restarted Redis is seen at the next check (no reconnect backoff in between).
 *
 * <p>Not thread-safe: confined to the single thread of the {@link Probe} that runs it.
 */
public final class RedisProbe implements Probe.Check, AutoCloseable {
  private final RedisClient client;
  private @Nullable StatefulRedisConnection<String, String> connection;

  public RedisProbe(ClientResources resources, RedisURI uri, Duration timeout) {
    RedisURI probeUri = RedisURI.builder(uri).withTimeout(timeout).build();
    this.client = RedisClient.create(resources, probeUri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
  }

  @Override
  public void run() {
    try {
      StatefulRedisConnection<String, String> current = connection;
      if (current == null || !current.isOpen()) {
        closeConnection();
        current = client.connect();
        connection = current;
      }
      String reply = current.sync().ping();
      if (!"PONG".equals(reply)) {
        throw new IllegalStateException("PING answered '" + reply + "'");
      }
    } catch (RuntimeException e) {
      closeConnection();
      throw e;
    }
  }

  private void closeConnection() {
    StatefulRedisConnection<String, String> current = connection;
    connection = null;
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException ignored) {
        // Already broken; nothing to release.
      }
    }
  }

  /** Closes the connection and the client (not the shared client resources). */
  @Override
  public void close() {
    closeConnection();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }
}
