package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed, unknown, oversized, foreign, duplicated and forged hints: each is counted and
 * ignored or applied idempotently, the subscriber keeps working, and no forged hint ever makes
 * the cache return a value other than the source's.
 */
class HostileHintsIntegrationTests {
  @RegisterExtension final Runtimes runtimes = runtimes();

  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final FakeSource source = new FakeSource();
  private RedisClient client;
  private StatefulRedisConnection<String, String> raw;
  private NearCache<String, String> victim;
  private String channel;

  /** The runtimes of the test: standalone here, a cluster in the subclass. */
  Runtimes runtimes() {
    return new Runtimes();
  }

  /** Connects the attacker's raw client. */
  void connectAttacker() {
    client = RedisClient.create(Services.redis().uri());
    raw = client.connect();
  }

  /** The namespace's hint channel, as an attacker who knows the protocol names it. */
  String channel(String tenant) {
    return "pubsub:v1:cache-invalidate:hostile:" + tenant;
  }

  /** Publishes a message on the hint channel, as the attacker. */
  void publish(String message) {
    raw.sync().publish(channel, message);
  }

  void disconnectAttacker() {
    raw.close();
    client.shutdown();
  }

  @BeforeEach
  void setUp() {
    connectAttacker();
    victim = runtimes.start("victim", b -> b.meterRegistry(meters))
        .namespace("hostile", Codecs.string(), NamespaceOptions.create(), source);
    channel = channel(runtimes.tenant());
  }

  @AfterEach
  void tearDown() {
    disconnectAttacker();
  }

  private String hint(String tenant, String ns, String key, long version, long epoch, long seq) {
    return "{\"v\":1,\"id\":\"x\",\"type\":\"KEYS\",\"ns\":\"" + ns + "\",\"tenant\":\"" + tenant
        + "\",\"keys\":[{\"k\":\"" + key + "\",\"ver\":" + version + "}],\"epoch\":" + epoch
        + ",\"seq\":" + seq + ",\"origin\":\"attacker\",\"ts\":1}";
  }

  private double count(String name, String... tags) {
    String[] all = new String[tags.length + 2];
    all[0] = "namespace";
    all[1] = "hostile";
    System.arraycopy(tags, 0, all, 2, tags.length);
    return Meters.count(meters, name, all);
  }

  @Test
  void brokenHintsAreCountedAndTheSubscriberKeepsWorking() {
    source.write("k", "v1");
    assertThat(victim.get("k")).isEqualTo("v1");
    long epoch = victim.status().epoch();

    publish("this is not json");
    publish("[1,2,3]");
    publish("{\"v\":2,\"type\":\"KEYS\"}");
    publish("{\"v\":1,\"type\":\"SHOUT\",\"ns\":\"hostile\"}");
    publish("{\"v\":1,\"type\":\"KEYS\",\"keys\":[{\"k\":7}]}");
    publish("x".repeat(300 * 1024));
    publish(hint("another-tenant", "hostile", "k", 99, epoch, 1));
    publish(hint(runtimes.tenant(), "other:ns", "k", 99, epoch, 1));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(count("coherent.hints.malformed", "reason", "not_json")).isEqualTo(1);
      assertThat(count("coherent.hints.malformed", "reason", "not_object")).isEqualTo(1);
      assertThat(count("coherent.hints.ignored", "reason", "unknown_version")).isEqualTo(1);
      assertThat(count("coherent.hints.ignored", "reason", "unknown_type")).isEqualTo(1);
      assertThat(count("coherent.hints.malformed", "reason", "bad_key")).isEqualTo(1);
      assertThat(count("coherent.hints.malformed", "reason", "too_large")).isEqualTo(1);
      assertThat(count("coherent.hints.ignored", "reason", "wrong_tenant")).isEqualTo(1);
      assertThat(count("coherent.hints.malformed", "reason", "wrong_namespace")).isEqualTo(1);
    });
    // None of them touched the entry ...
    assertThat(victim.get("k", key -> {
      throw new AssertionError("the entry must still be in L1");
    })).isEqualTo("v1");

    // ... and a real write still gets through.
    long v2 = source.write("k", "v2");
    runtimes.start("writer").namespace("hostile", Codecs.string()).invalidate("k", v2);
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(victim.get("k")));
  }

  @Test
  void duplicatedAndReorderedHintsApplyIdempotently() {
    source.write("k", "v1");
    long v2 = source.write("k", "v2");
    assertThat(victim.get("k")).isEqualTo("v2");
    long epoch = victim.status().epoch();
    long seq = victim.status().lastSequence();
    // An old hint arriving late (version 1 < cached 2) and the same message twice.
    String old = hint(runtimes.tenant(), "hostile", "k", 1, epoch, seq);
    publish(old);
    publish(old);
    await().atMost(Duration.ofSeconds(5)).until(() -> count("coherent.hints.reordered") >= 2);
    assertThat(victim.get("k", key -> {
      throw new AssertionError("an older hint must not drop a newer entry");
    })).isEqualTo("v2");
    assertThat(v2).isEqualTo(2);
  }

  @Test
  void aForgedHintCostsOneL2ReadNeverALoadOrAWrongValue() {
    source.write("k", "v1");
    assertThat(victim.get("k")).isEqualTo("v1");
    long epoch = victim.status().epoch();
    // Claims version 10^15 was committed: nothing that old-or-newer exists in L2 or the source.
    publish(hint(runtimes.tenant(), "hostile", "k", 1_000_000_000_000_000L,
        epoch, victim.status().lastSequence() + 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> count("coherent.hints.applied") >= 1);
    int loads = source.loads.get();
    // One read misses L1 and finds v1 in L2, where a real writer would have stored its version.
    assertThat(victim.get("k")).isEqualTo("v1");
    assertThat(victim.get("k")).isEqualTo("v1");
    assertThat(victim.get("k")).isEqualTo("v1");
    assertThat(source.loads.get()).isEqualTo(loads);
    assertThat(count("coherent.hints.unconfirmed")).isEqualTo(1);
    // The forged floor is gone: a real write at version 2 (far below it) invalidates as usual.
    long v2 = source.write("k", "v2");
    assertThat(v2).isEqualTo(2);
    victim.invalidate("k", v2);
    assertThat(victim.get("k")).isEqualTo("v2");
  }

  @Test
  void aForgedEpochHintIsCheckedAgainstRedisAndNeverFlushesL1() {
    source.write("k", "v1");
    assertThat(victim.get("k")).isEqualTo("v1");
    long real = victim.status().epoch();
    int loads = source.loads.get();
    publish("{\"v\":1,\"id\":\"x\",\"type\":\"EPOCH\",\"ns\":\"hostile\","
        + "\"tenant\":\"" + runtimes.tenant() + "\",\"epoch\":" + (real + 1000) + ",\"seq\":"
        + (victim.status().lastSequence() + 1) + ",\"origin\":\"attacker\",\"ts\":1}");
    // The writer of a real invalidateAll() bumps the epoch in Redis before it publishes; Redis
    // does not have this one.
    await().atMost(Duration.ofSeconds(5)).until(() -> count("coherent.hints.unconfirmed") >= 1);
    assertThat(victim.status().epoch()).isEqualTo(real);
    assertThat(victim.get("k")).isEqualTo("v1");
    assertThat(source.loads.get()).as("L1 was not flushed").isEqualTo(loads);
  }
}
