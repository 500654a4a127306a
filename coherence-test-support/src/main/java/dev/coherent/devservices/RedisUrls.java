package dev.coherent.devservices;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/** Validation of Redis URLs given by configuration, with messages that name the setting. */
public final class RedisUrls {
  private RedisUrls() {}

  /** Parses a Redis URL or fails naming the setting, the value and the valid forms. */
  public static RedisURI parse(String setting, String url) {
    try {
      if (!url.matches("(?i)^(redis|rediss|redis-socket|redis-sentinel)://.+")) {
        throw new IllegalArgumentException("no redis:// or rediss:// scheme");
      }
      return RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new ServiceConfigurationException(
          setting + "='" + Settings.mask(url) + "' is not a Redis URL ("
              + e.getMessage() + "); expected redis://[user:password@]host:port[/database]"
              + " or rediss://... for TLS", e);
    }
  }

  /** Pings the server within 3 seconds or fails naming the setting, the value and the cause. */
  public static void requireReachable(String setting, String url) {
    RedisURI uri = parse(setting, url);
    uri.setTimeout(Duration.ofSeconds(3));
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
      connection.sync().ping();
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new ServiceConfigurationException(
          setting + "='" + Settings.mask(url) + "' does not answer PING: " + root.getMessage()
              + "; start that Redis or unset " + setting + " to use an embedded one", e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }
}
