package dev.coherent.devservices;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An existing Redis Cluster named by {@link Settings#REDIS_CLUSTER_URL}: tests run on it but do
 * not fault it ({@link #canInjectFaults()} is false; the fault operations refuse, saying so).
 *
 * <p>Thread-safe: immutable seeds; each query uses its own short-lived client.
 */
final class ConfiguredRedisCluster implements RedisClusterService {
  private final List<String> urls;

  private ConfiguredRedisCluster(List<String> urls) {
    this.urls = List.copyOf(urls);
  }

  static ConfiguredRedisCluster connect(String setting, String value) {
    List<String> urls = new ArrayList<>();
    for (String part : value.split(",")) {
      String url = part.trim();
      try {
        RedisURI.create(url);
      } catch (RuntimeException e) {
        throw new ServiceConfigurationException(setting + " entry '" + Settings.mask(url)
            + "' is not a Redis URL; expected comma-separated redis://host:port seeds", e);
      }
      urls.add(url);
    }
    ConfiguredRedisCluster cluster = new ConfiguredRedisCluster(urls);
    try {
      cluster.partitions();
    } catch (RuntimeException e) {
      throw new ServiceConfigurationException(setting + " (" + Settings.mask(value)
          + ") does not answer as a Redis Cluster: " + e.getMessage(), e);
    }
    return cluster;
  }

  private Partitions partitions() {
    RedisClusterClient client = RedisClusterClient.create(seeds());
    try {
      client.refreshPartitions();
      return client.getPartitions();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.CONFIGURED;
  }

  @Override
  public List<RedisURI> seeds() {
    List<RedisURI> seeds = new ArrayList<>();
    urls.forEach(url -> seeds.add(RedisURI.create(url)));
    return seeds;
  }

  @Override
  public List<String> seedUrls() {
    return urls;
  }

  @Override
  public boolean canInjectFaults() {
    return false;
  }

  @Override
  public String masterOf(String key) {
    RedisClusterNode node = partitions().getMasterBySlot(SlotHash.getSlot(key));
    return node.getUri().getHost() + ":" + node.getUri().getPort();
  }

  @Override
  public List<String> masters() {
    List<String> masters = new ArrayList<>();
    partitions().stream().filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
        .filter(n -> !n.getSlots().isEmpty())
        .sorted(Comparator.comparingInt(n -> n.getUri().getPort()))
        .forEach(n -> masters.add(n.getUri().getHost() + ":" + n.getUri().getPort()));
    return masters;
  }

  private IllegalStateException refused(String what) {
    return new IllegalStateException(what + " is not possible on the configured cluster "
        + Settings.REDIS_CLUSTER_URL + " (" + Settings.mask(String.join(",", urls))
        + "); tests check canInjectFaults() first");
  }

  @Override
  public String failover(String key) {
    throw refused("failover");
  }

  @Override
  public String killMaster(String key) {
    throw refused("killMaster");
  }

  @Override
  public String migrateSlot(String key) {
    throw refused("migrateSlot");
  }

  @Override
  public void restartNode(String node) {
    throw refused("restartNode");
  }

  @Override
  public long killPubSubClients() {
    throw refused("killPubSubClients");
  }

  @Override
  public void pause(Duration duration) {
    throw refused("pause");
  }

  @Override
  public void awaitHealthy(Duration timeout) {
    partitions();
  }
}
