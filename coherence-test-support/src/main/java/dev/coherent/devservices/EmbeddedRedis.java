package dev.coherent.devservices;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * The embedded Redis binary on a free loopback port, without persistence, so a stop loses every
 * key (which is what a restart test wants). Stopped at JVM exit.
 *
 * <p>Thread-safe: stop and start are synchronized.
 */
final class EmbeddedRedis extends RedisAdmin {
  private final int port;
  private final RedisServer server;

  private EmbeddedRedis(int port, RedisServer server) {
    this.port = port;
    this.server = server;
  }

  static EmbeddedRedis launch() {
    int port = FreePort.pick();
    try {
      RedisServer server =
          RedisServer.newRedisServer()
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .onShutdownForceStop(true)
              .build();
      EmbeddedRedis redis = new EmbeddedRedis(port, server);
      redis.start();
      Runtime.getRuntime().addShutdownHook(new Thread(redis::stopQuietly, "embedded-redis-stop"));
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded Redis on port " + port, e);
    }
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.EMBEDDED;
  }

  @Override
  public RedisURI uri() {
    return RedisURI.create("127.0.0.1", port);
  }

  @Override
  public boolean canStopAndStart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded Redis on port " + port, e);
    }
  }

  @Override
  public synchronized void start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded Redis on port " + port, e);
    }
  }

  private synchronized void stopQuietly() {
    try {
      if (server.isActive()) {
        server.stop();
      }
    } catch (IOException | RuntimeException ignored) {
      // JVM exit: nothing left to report to.
    }
    shutdownClient();
  }
}
