package dev.coherent.devservices;

import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * A Redis server for tests and the demo, with the fault operations the fault tests need. Obtain
 * it from {@link Services#redis()}; it is shared by every test in the JVM, so tests isolate
 * themselves by unique key prefixes (or call {@link #flushAll()} in their own setup).
 *
 * <p>Thread-safe: administrative commands each open a short connection, so they keep working
 * across {@link #stop()} / {@link #start()}.
 */
public interface RedisService {

  /** Where this server came from. */
  ServiceSource source();

  /** A new {@link RedisURI} for the server (callers may change it freely). */
  RedisURI uri();

  /** The server as a URL ({@code redis://host:port}), with any password included. */
  String url();

  /** Kills every Pub/Sub client connection ({@code CLIENT KILL TYPE pubsub}); returns how many. */
  long killPubSubClients();

  /** Pauses all clients for the given time ({@code CLIENT PAUSE millis ALL}). */
  void pause(Duration duration);

  /**
   * Pauses clients for the given time: with {@code writesOnly}, {@code CLIENT PAUSE millis WRITE}
   * (reads are served, commands that may write block; Redis 6.2+), otherwise as {@link
   * #pause(Duration)}. Returns at once; the pause runs on the server.
   */
  void pause(Duration duration, boolean writesOnly);

  /** Removes every key from every database ({@code FLUSHALL}). */
  void flushAll();

  /** Whether {@link #stop()} and {@link #start()} are possible (not for a configured server). */
  boolean canStopAndStart();

  /** Stops the server; its data is lost. The port stays reserved for {@link #start()}. */
  void stop();

  /** Starts a stopped server again on the same host and port, empty. */
  void start();

  /** Whether the server answers PING within a second. */
  boolean isReachable();
}
