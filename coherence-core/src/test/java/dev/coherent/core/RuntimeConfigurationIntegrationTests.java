package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RuntimeConfigurationIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  @Test
  void connectsAsAnAclUserAndRejectsAWrongPasswordWithAClearMessage() {
    String user = "coherent_" + runtimes.tenant();
    RedisClient admin = RedisClient.create(Services.redis().uri());
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      c.sync().aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on()
          .addPassword("s3cret").allKeys().allChannels().allCommands());
    } finally {
      admin.shutdown();
    }
    NearCache<String, String> cache = runtimes.start("acl", b -> b.credentials(user, "s3cret".toCharArray()))
        .namespace("acl", Codecs.string());
    assertThat(cache.get("k", key -> Versioned.of("v", 1))).isEqualTo("v");

    assertThatThrownBy(() -> runtimes.start("acl-wrong",
        b -> b.credentials(user, "wrong".toCharArray())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Coherent cannot connect to Redis at redis://127.0.0.1")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void anUnreachableRedisFailsFastNamingTheAddress() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    int port = closed;
    assertThatThrownBy(() -> CoherentRuntime.builder().redisUri("redis://127.0.0.1:" + port)
        .commandTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("redis://127.0.0.1:" + port);
  }

  @Test
  void buildSealsTheBuilderSoTheRuntimesConfigurationNeverChanges() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    CoherentRuntime.Builder builder = CoherentRuntime.builder()
        .redisUri("redis://127.0.0.1:" + closed).commandTimeout(Duration.ofMillis(500))
        .instanceId("sealed-1").tenant(runtimes.tenant());
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    // A build that failed leaves the builder open: fix it and build.
    try (CoherentRuntime runtime = builder.redisUri(Services.redis().url()).build()) {
      assertThatThrownBy(() -> builder.instanceId("sealed-2"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already built runtime sealed-1")
          .hasMessageContaining("instanceId");
      assertThatThrownBy(builder::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already built runtime sealed-1");
      assertThat(runtime.instanceId()).isEqualTo("sealed-1");
      assertThat(runtime.tenant()).isEqualTo(runtimes.tenant());
    }
  }

  @Test
  void withoutL2HintsStillKeepInstancesCoherent() {
    NamespaceOptions l1Only = NamespaceOptions.builder().l2Enabled(false).build();
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    NearCache<String, String> a = runtimes.start("a").namespace("l1only", Codecs.string(), l1Only, source);
    NearCache<String, String> b = runtimes.start("b").namespace("l1only", Codecs.string(), l1Only, source);
    assertThat(a.get("k")).isEqualTo("v1");
    assertThat(b.get("k")).isEqualTo("v1");
    assertThat(source.loads).hasValue(2); // no L2: each instance loads once
    long v2 = source.write("k", "v2");
    a.put("k", "v2", v2);
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(b.get("k")));
  }

  @Test
  void getAllMissesCostOneBatchLoad() {
    AtomicInteger batches = new AtomicInteger();
    VersionedLoader<String, String> loader = new VersionedLoader<>() {
      @Override
      public Versioned<String> load(String key) {
        throw new AssertionError("getAll must use loadAll");
      }

      @Override
      public Map<String, Versioned<String>> loadAll(Set<? extends String> keys) {
        batches.incrementAndGet();
        Map<String, Versioned<String>> out = new HashMap<>();
        keys.forEach(k -> out.put(k, Versioned.of("v-" + k, 1)));
        return out;
      }
    };
    NearCache<String, String> cache = runtimes.start("a")
        .namespace("batch", Codecs.string(), NamespaceOptions.create(), loader);
    assertThat(cache.getAll(List.of("a", "b", "c"))).containsEntry("a", "v-a").hasSize(3);
    assertThat(batches).hasValue(1);
    // A second instance reads all three from L2 in one round trip, without loading.
    NearCache<String, String> other = runtimes.start("b").namespace("batch", Codecs.string(),
        NamespaceOptions.create(), loader);
    assertThat(other.getAll(List.of("a", "b", "c"))).hasSize(3);
    assertThat(batches).hasValue(1);
  }

  @Test
  void aNamespaceNameIsTakenOncePerRuntime() {
    CoherentRuntime runtime = runtimes.start("a");
    runtime.namespace("once", Codecs.string());
    assertThatThrownBy(() -> runtime.namespace("once", Codecs.string()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("namespace once already exists");
    assertThatThrownBy(() -> runtime.namespace("bad name", Codecs.string()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace 'bad name'");
  }
}
