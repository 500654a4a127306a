package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rolling-upgrade promise of docs/protocol.md ("Hint channels on a Redis Cluster"): on
 * standalone Redis the hint channel is still the literal v1 name with classic Pub/Sub, so an
 * instance of an earlier release (played by a raw client on that channel) and a new one hear each
 * other.
 */
class HintChannelCompatibilityIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  @Test
  void aNewInstancesHintsArriveOnTheOldChannelName() {
    CoherentRuntime runtime = runtimes.start("new-1");
    NearCache<String, String> cache = runtime.namespace("catalog:product", Codecs.string(),
        NamespaceOptions.create(), new FakeSource());
    try (HintTap old = new HintTap("catalog:product", runtimes.tenant())) {
      cache.invalidate("42", 7);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(old.messages).singleElement().asString()
              .contains("\"k\":\"42\"", "\"ver\":7", "\"origin\":\"new-1\""));
    }
  }

  @Test
  void aHintOnTheOldChannelNameIsReceivedByANewInstance() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    FakeSource source = new FakeSource();
    source.write("42", "v1");
    CoherentRuntime runtime = runtimes.start("new-1", b -> b.meterRegistry(meters));
    NearCache<String, String> cache = runtime.namespace("catalog:product", Codecs.string(),
        NamespaceOptions.create(), source);
    assertThat(cache.get("42")).isEqualTo("v1");
    NearCache.NamespaceStatus status = cache.status();
    // An earlier release's instance publishes from its write script on the literal v1 channel.
    // (Only the channel is played here: a raw hint without the script's write to Redis reads as
    // unconfirmed by design, so its value is not asserted; the write path itself is unchanged.)
    String hint = "{\"v\":1,\"id\":\"00000000-0000-0000-0000-000000000001\",\"type\":\"KEYS\","
        + "\"ns\":\"catalog:product\",\"tenant\":\"" + runtimes.tenant() + "\",\"keys\":[{\"k\":"
        + "\"42\",\"ver\":2}],\"epoch\":" + status.epoch() + ",\"seq\":"
        + (status.lastSequence() + 1) + ",\"origin\":\"old-1\",\"ts\":0}";
    RedisClient client = RedisClient.create(Services.redis().uri());
    try (StatefulRedisConnection<String, String> old = client.connect()) {
      assertThat(old.sync().publish(
          "pubsub:v1:cache-invalidate:catalog:product:" + runtimes.tenant(), hint)).isEqualTo(1);
    } finally {
      client.shutdown();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> Meters.count(meters,
        "coherent.hints.received", "namespace", "catalog:product") >= 1);
  }
}
