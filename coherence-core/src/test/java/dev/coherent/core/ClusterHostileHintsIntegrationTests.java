package dev.coherent.core;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.Services;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.BeforeAll;

/**
 * The hostile hints of {@link HostileHintsIntegrationTests} on a Redis Cluster with sharded hints:
 * the attacker publishes with {@code SPUBLISH} on the namespace's tagged channel, which reaches
 * the victim's subscription on the slot's master. Skipped, saying why, without a
 * {@code redis-server} 7.
 */
class ClusterHostileHintsIntegrationTests extends HostileHintsIntegrationTests {
  private RedisClusterClient attacker;
  private StatefulRedisClusterConnection<String, String> connection;

  @BeforeAll
  static void needsACluster() {
    String reason = Services.redisClusterUnavailable();
    assumeTrue(reason == null, () -> "Redis Cluster tests skipped: " + reason);
  }

  @Override
  Runtimes runtimes() {
    return Runtimes.onCluster();
  }

  @Override
  void connectAttacker() {
    attacker = RedisClusterClient.create(Services.redisCluster().seeds());
    connection = attacker.connect();
  }

  @Override
  String channel(String tenant) {
    return "pubsub:v1:cache-invalidate:{" + tenant + ":hostile}";
  }

  @Override
  void publish(String message) {
    connection.sync().spublish(channel(runtimes.tenant()), message);
  }

  @Override
  void disconnectAttacker() {
    connection.close();
    attacker.shutdown();
  }
}
