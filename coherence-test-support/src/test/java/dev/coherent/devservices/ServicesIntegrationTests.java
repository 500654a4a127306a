package dev.coherent.devservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServicesIntegrationTests {

  @Test
  void redisIsResolvedOnceAndSupportsTheFaultOperations() throws Exception {
    RedisService redis = Services.redis();
    assertThat(Services.redis()).isSameAs(redis);
    assertThat(redis.isReachable()).isTrue();

    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect();
        StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub()) {
      pubsub.sync().subscribe("services-test");
      assertThat(redis.killPubSubClients()).isGreaterThanOrEqualTo(1);

      connection.sync().set("services-test:key", "v");
      if (redis.canStopAndStart()) {
        redis.stop();
        assertThat(redis.isReachable()).isFalse();
        redis.start();
        await().atMost(Duration.ofSeconds(10)).until(redis::isReachable);
        // Data does not survive a restart: the restart tests rely on that.
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .until(() -> connection.sync().get("services-test:key") == null);
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void postgresHandsOutFreshDatabases() throws Exception {
    PostgresService postgres = Services.postgres();
    try (Database first = postgres.createDatabase("services_test");
        Database second = postgres.createDatabase("services_test")) {
      assertThat(first.name()).isNotEqualTo(second.name());
      try (Connection connection = first.dataSource().getConnection();
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("select current_database()")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(first.name());
      }
    }
  }

  @Test
  void badConfigurationNamesTheSettingAndTheValue() {
    assertThatThrownBy(() -> RedisUrls.parse("COHERENT_REDIS_URL", "localhost:6379"))
        .isInstanceOf(ServiceConfigurationException.class)
        .hasMessageContaining("COHERENT_REDIS_URL='localhost:6379'")
        .hasMessageContaining("redis://");
    int closedPort = FreePort.pick();
    assertThatThrownBy(
            () -> RedisUrls.requireReachable("COHERENT_REDIS_URL", "redis://:secret@127.0.0.1:" + closedPort))
        .isInstanceOf(ServiceConfigurationException.class)
        .hasMessageContaining("COHERENT_REDIS_URL='redis://:***@127.0.0.1:" + closedPort + "'")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> JdbcUrls.parse("COHERENT_JDBC_URL", "jdbc:postgres://x/y"))
        .isInstanceOf(ServiceConfigurationException.class)
        .hasMessageContaining("COHERENT_JDBC_URL='jdbc:postgres://x/y'")
        .hasMessageContaining("jdbc:postgresql://host");
    assertThatThrownBy(
            () -> JdbcUrls.requireReachable(
                "COHERENT_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/db", "u", "p"))
        .isInstanceOf(ServiceConfigurationException.class)
        .hasMessageContaining("cannot be reached");
  }
}
