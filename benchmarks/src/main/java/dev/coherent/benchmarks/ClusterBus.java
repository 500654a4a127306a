package dev.coherent.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each node's cluster-bus counters of Pub/Sub traffic from {@code CLUSTER INFO} (Redis 7): the
 * {@code PUBLISH} messages a node sent to / received from other nodes (a classic publish is
 * forwarded to every other node) and the {@code PUBLISHSHARD} ones (a sharded publish is forwarded
 * to the replicas of its shard only). Stateless.
 */
final class ClusterBus {
  static final List<String> FIELDS = List.of("publish_sent", "publish_received",
      "publishshard_sent", "publishshard_received");

  private ClusterBus() {}

  /** Per node label, per field of {@link #FIELDS}: the counter now (0 when the node has none yet). */
  static Map<String, Map<String, Long>> read(ClusterTopology topology, RedisURI template) {
    Map<String, Map<String, Long>> all = new LinkedHashMap<>();
    RedisClient client = RedisClient.create();
    try {
      for (ClusterTopology.Node node : topology.nodes()) {
        try (StatefulRedisConnection<String, String> c = client.connect(uri(template, node))) {
          String info = c.sync().clusterInfo();
          Map<String, Long> fields = new LinkedHashMap<>();
          for (String field : FIELDS) {
            fields.put(field, 0L);
          }
          for (String line : info.split("\r?\n")) {
            String name = line.replaceFirst("^cluster_stats_messages_", "").replaceFirst(":.*$", "");
            if (line.startsWith("cluster_stats_messages_") && fields.containsKey(name)) {
              fields.put(name, Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
            }
          }
          all.put(topology.label(node), fields);
        }
      }
      return all;
    } finally {
      client.shutdown();
    }
  }

  /** {@code after - before}, field by field. */
  static Map<String, Map<String, Long>> delta(Map<String, Map<String, Long>> before,
      Map<String, Map<String, Long>> after) {
    Map<String, Map<String, Long>> d = new LinkedHashMap<>();
    after.forEach((node, fields) -> {
      Map<String, Long> f = new LinkedHashMap<>();
      fields.forEach((k, v) -> f.put(k, v - before.get(node).get(k)));
      d.put(node, f);
    });
    return d;
  }

  /** The sum of one field over every node. */
  static long total(Map<String, Map<String, Long>> perNode, String field) {
    return perNode.values().stream().mapToLong(f -> f.get(field)).sum();
  }

  /** {@code template} (its credentials, TLS, timeout) pointed at {@code node}. */
  static RedisURI uri(RedisURI template, ClusterTopology.Node node) {
    return RedisURI.builder(template).withHost(node.host()).withPort(node.port()).build();
  }
}
