package dev.coherent.demo.internal.scenario;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code kill} mode: a thread that, every {@link #PERIOD}, lists Redis's clients and kills
 * each Pub/Sub connection named after the victim instance ({@code CLIENT KILL ID <id> TYPE
 * pubsub}), so hints published while Lettuce reconnects are lost. Every resubscription makes the
 * victim reconcile at once, which is what this mode shows.
 *
 * <p>Thread-safe: one killer thread owns the connection; {@link #close()} stops it and waits.
 */
final class SubscriberKiller implements AutoCloseable {
  static final Duration PERIOD = Duration.ofMillis(20);
  private static final Pattern CLIENT = Pattern.compile("id=(\\d+) .*?name=(\\S*) .*?flags=(\\S*)");

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong kills = new AtomicLong();
  private final Thread thread;
  private final RedisClient client;

  SubscriberKiller(String redisUrl, String victim) {
    this.client = RedisClient.create(redisUrl);
    StatefulRedisConnection<String, String> connection = client.connect();
    this.thread = new Thread(() -> {
      try (connection) {
        while (running.get()) {
          Matcher m = CLIENT.matcher(connection.sync().clientList());
          while (m.find()) {
            if (m.group(2).equals(victim) && m.group(3).contains("P")) {
              kills.addAndGet(connection.sync().clientKill(
                  KillArgs.Builder.typePubsub().id(Long.parseLong(m.group(1)))));
            }
          }
          LockSupport.parkNanos(PERIOD.toNanos());
        }
      }
    }, "scenario-subscriber-killer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Pub/Sub connections killed so far. */
  long kills() {
    return kills.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(5_000);
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
