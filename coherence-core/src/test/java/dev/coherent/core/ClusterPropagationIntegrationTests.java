package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.RedisClusterService;
import dev.coherent.devservices.Services;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Propagation across two instances on a 3-master Redis Cluster, with namespaces placed on every
 * master (chosen by their hash tag's slot), with sharded and with classic hints: a write on A
 * reaches B through the hint of the namespace's own master, and the update timestamps, in their
 * own slot, work the same. Skipped, saying why, without a {@code redis-server} 7.
 */
class ClusterPropagationIntegrationTests {
  @RegisterExtension final Runtimes runtimes = Runtimes.onCluster();

  @BeforeAll
  static void needsACluster() {
    String reason = Services.redisClusterUnavailable();
    assumeTrue(reason == null, () -> "Redis Cluster tests skipped: " + reason);
  }

  /** One namespace name per master: the first of ns-0, ns-1, ... whose slot that master owns. */
  private Map<String, String> oneNamespacePerMaster() {
    RedisClusterService cluster = Services.redisCluster();
    Map<String, String> byMaster = new LinkedHashMap<>();
    for (int i = 0; byMaster.size() < cluster.masters().size() && i < 1000; i++) {
      String namespace = "ns-" + i;
      byMaster.putIfAbsent(cluster.masterOf("{" + runtimes.tenant() + ":" + namespace + "}"),
          namespace);
    }
    assertThat(byMaster.keySet()).containsExactlyInAnyOrderElementsOf(cluster.masters());
    return byMaster;
  }

  private List<String> namespaces(int count) {
    List<String> names = new ArrayList<>(oneNamespacePerMaster().values());
    assertThat(names).hasSize(count);
    return names;
  }

  @ParameterizedTest
  @EnumSource(ClusterHints.class)
  void aWriteOnAReachesBForNamespacesOnEveryMaster(ClusterHints hints) {
    CoherentRuntime a = runtimes.start("a", b -> b.clusterHints(hints));
    io.micrometer.core.instrument.simple.SimpleMeterRegistry metersOfB =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    CoherentRuntime b = runtimes.start("b", builder -> builder.clusterHints(hints)
        .meterRegistry(metersOfB));
    List<FakeSource> sources = new ArrayList<>();
    List<NearCache<String, String>> onA = new ArrayList<>();
    List<NearCache<String, String>> onB = new ArrayList<>();
    for (String namespace : oneNamespacePerMaster().values()) {
      FakeSource source = new FakeSource();
      source.write("k", "v1");
      sources.add(source);
      onA.add(a.namespace(namespace, Codecs.string(), NamespaceOptions.create(), source));
      onB.add(b.namespace(namespace, Codecs.string(), NamespaceOptions.create(), source));
    }
    for (NearCache<String, String> cache : onB) {
      assertThat(cache.get("k")).isEqualTo("v1"); // cached on b
    }
    for (int i = 0; i < onA.size(); i++) {
      onA.get(i).put("k", "v2", sources.get(i).write("k", "v2"));
    }
    for (NearCache<String, String> cache : onB) {
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.get("k")));
    }
    // Each hint reached b exactly once (one put per namespace): no copy made in the JVM.
    for (String namespace : namespaces(onB.size())) {
      assertThat(Meters.count(metersOfB, "coherent.hints.received", "namespace", namespace))
          .as("hints b received for %s", namespace).isEqualTo(1);
    }
    UpdateTimestamps stampsA = a.updateTimestamps("queries");
    UpdateTimestamps stampsB = b.updateTimestamps("queries");
    await().atMost(Duration.ofSeconds(5)).until(() -> stampsB.now() > 0);
    long began = stampsB.now();
    assertThat(stampsA.update("Item", 0)).isGreaterThanOrEqualTo(began);
    assertThat(stampsB.lastUpdate("Item")).isGreaterThanOrEqualTo(began);
  }
}
