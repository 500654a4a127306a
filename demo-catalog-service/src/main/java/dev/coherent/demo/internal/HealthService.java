package dev.coherent.demo.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coherent.demo.InstanceContext;
import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /health} of one instance: PINGs Redis and validates a database connection, both in
 * parallel and each within {@link #DEADLINE}, and answers 200 UP or 503 DOWN:
 * <pre>{"instance":"instance-a-3f9c","port":8081,
 *  "redis":{"reachable":true,"source":"EMBEDDED"},
 *  "database":{"reachable":true,"source":"EMBEDDED"},"status":"UP"}</pre>
 * An unreachable service also has an {@code "error"} with a one-line reason.
 *
 * <p>Thread-safe: each probe runs on its own thread (see {@link Probe}); the mapper is immutable.
 */
public final class HealthService implements AutoCloseable {
  /** How long one check may take: a load balancer's health check must not hang. */
  public static final Duration DEADLINE = Duration.ofSeconds(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InstanceContext context;
  private final RedisProbe redisPing;
  private final Probe redis;
  private final Probe database;

  public HealthService(InstanceContext context) {
    this.context = context;
    this.redisPing = new RedisProbe(context.redisResources(), context.redisUri(), DEADLINE);
    this.redis = new Probe(context.instanceId() + "-health-redis", redisPing);
    this.database =
        new Probe(
            context.instanceId() + "-health-db",
            () -> {
              try (Connection connection = context.dataSource().getConnection()) {
                if (!connection.isValid((int) DEADLINE.toSeconds())) {
                  throw new SQLException("connection is not valid");
                }
              }
            });
  }

  /** The Javalin handler. */
  public void handle(Context ctx) throws Exception {
    // Both checks start before either is awaited, so the request takes at most one deadline.
    long deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
    CompletableFuture<Probe.Result> redisCheck = redis.start();
    CompletableFuture<Probe.Result> databaseCheck = database.start();
    Probe.Result redisResult = Probe.await(redisCheck, deadlineNanos, DEADLINE);
    Probe.Result databaseResult = Probe.await(databaseCheck, deadlineNanos, DEADLINE);
    ObjectNode body = JSON.createObjectNode();
    body.put("instance", context.instanceId());
    body.put("port", context.port());
    ObjectNode redisNode = body.putObject("redis");
    redisNode.put("reachable", redisResult.reachable());
    redisNode.put("source", context.redisSource().name());
    if (redisResult.error() != null) {
      redisNode.put("error", redisResult.error());
    }
    ObjectNode databaseNode = body.putObject("database");
    databaseNode.put("reachable", databaseResult.reachable());
    databaseNode.put("source", context.databaseSource().name());
    if (databaseResult.error() != null) {
      databaseNode.put("error", databaseResult.error());
    }
    boolean up = redisResult.reachable() && databaseResult.reachable();
    body.put("status", up ? "UP" : "DOWN");
    ctx.status(up ? 200 : 503);
    ctx.contentType("application/json");
    ctx.result(JSON.writeValueAsString(body));
  }

  @Override
  public void close() {
    redis.close();
    database.close();
    redisPing.close();
  }
}
