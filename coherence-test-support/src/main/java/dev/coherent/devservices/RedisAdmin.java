package dev.coherent.devservices;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.function.Function;

/**
 * The administrative half shared by every {@link RedisService}: each command opens a connection,
 * runs, and closes it, so a restart of the server never leaves a dead admin connection behind.
 *
 * <p>Thread-safe: the client is thread-safe and each call uses its own connection.
 */
abstract class RedisAdmin implements RedisService {
  private final RedisClient client = RedisClient.create();

  @Override
  public String url() {
    return uri().toString();
  }

  <T> T run(Function<RedisCommands<String, String>, T> command) {
    RedisURI uri = uri();
    uri.setTimeout(Duration.ofSeconds(5));
    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
      return command.apply(connection.sync());
    }
  }

  @Override
  public long killPubSubClients() {
    return run(redis -> redis.clientKill(KillArgs.Builder.typePubsub()));
  }

  @Override
  public void pause(Duration duration) {
    run(redis -> redis.clientPause(duration.toMillis()));
  }

  @Override
  public void pause(Duration duration, boolean writesOnly) {
    if (!writesOnly) {
      pause(duration);
      return;
    }
    // Lettuce's clientPause(long) has no mode argument.
    StringCodec codec = StringCodec.UTF8;
    run(redis -> redis.dispatch(CommandType.CLIENT, new StatusOutput<>(codec),
        new CommandArgs<>(codec).add("PAUSE").add(duration.toMillis()).add("WRITE")));
  }

  @Override
  public void flushAll() {
    run(RedisCommands::flushall);
  }

  @Override
  public boolean isReachable() {
    RedisURI uri = uri();
    uri.setTimeout(Duration.ofSeconds(1));
    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
      return "PONG".equals(connection.sync().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  void shutdownClient() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }
}
