package dev.coherent.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The nodes of a Redis Cluster and their slots, read once from one seed's {@code CLUSTER NODES}:
 * which master serves a channel's (or key's) slot, and which replica belongs to which master.
 * Immutable; the benchmark changes no slot while it holds one.
 *
 * @param nodes the masters in port order, then the replicas in port order
 */
record ClusterTopology(List<Node> nodes) {

  /**
   * One node.
   *
   * @param id the node id
   * @param hostPort {@code host:port} as the cluster announces it
   * @param masterId the id of its master, or null for a master
   * @param slots its slot ranges as {@code [first, last]} pairs (masters only)
   */
  record Node(String id, String hostPort, @Nullable String masterId, List<int[]> slots) {
    boolean master() {
      return masterId == null;
    }

    boolean serves(int slot) {
      for (int[] range : slots) {
        if (slot >= range[0] && slot <= range[1]) {
          return true;
        }
      }
      return false;
    }

    String host() {
      return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    int port() {
      return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
  }

  static ClusterTopology read(RedisURI seed) {
    RedisClient client = RedisClient.create(seed);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return parse(c.sync().clusterNodes());
    } finally {
      client.shutdown();
    }
  }

  /** Parses {@code CLUSTER NODES} output (documented line format; importing/migrating slots skipped). */
  static ClusterTopology parse(String clusterNodes) {
    List<Node> nodes = new ArrayList<>();
    for (String line : clusterNodes.split("\r?\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" ");
      String address = f[1].substring(0, f[1].indexOf('@'));
      boolean master = f[2].contains("master");
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue;
        }
        String[] range = f[i].split("-");
        int first = Integer.parseInt(range[0]);
        slots.add(new int[] {first, range.length == 1 ? first : Integer.parseInt(range[1])});
      }
      nodes.add(new Node(f[0], address, master ? null : f[3], List.copyOf(slots)));
    }
    nodes.sort(Comparator.comparing((Node n) -> !n.master()).thenComparingInt(Node::port));
    return new ClusterTopology(List.copyOf(nodes));
  }

  List<Node> masters() {
    return nodes.stream().filter(Node::master).toList();
  }

  /** The master serving {@code channelOrKey}'s slot. */
  Node masterOf(String channelOrKey) {
    int slot = SlotHash.getSlot(channelOrKey);
    return masters().stream().filter(n -> n.serves(slot)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
  }

  /** The master a node belongs to: itself for a master. */
  Node shardOf(Node node) {
    if (node.master()) {
      return node;
    }
    return nodes.stream().filter(n -> n.id().equals(node.masterId())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no master " + node.masterId()));
  }

  /** {@code host:port (master)} or {@code host:port (replica of :port)}: how results name a node. */
  String label(Node node) {
    return node.hostPort() + (node.master() ? " (master)" : " (replica of :" + shardOf(node).port()
        + ")");
  }
}
