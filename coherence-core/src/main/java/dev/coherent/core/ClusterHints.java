package dev.coherent.core;

/**
 * How hints travel on a Redis Cluster ({@link CoherentRuntime.Builder#clusterHints}); see
 * docs/protocol.md, "Hint channels". Standalone Redis always uses classic Pub/Sub on the classic
 * channel, whatever this says.
 */
public enum ClusterHints {
  /**
   * {@code SPUBLISH} on the namespace's shard channel {@code
   * <prefix>:v1:cache-invalidate:{<tenant>:<namespace>}}, in the slot of the namespace's keys: a
   * hint reaches only the nodes of that slot's shard, and each instance subscribes to each
   * namespace on its owner. Needs Redis 7 or later on every node. The default.
   */
  SHARDED,
  /**
   * {@code PUBLISH} on the classic channel {@code <prefix>:v1:cache-invalidate:<namespace>:<tenant>},
   * as on standalone Redis: every hint is broadcast to every node of the cluster. For Redis 6
   * clusters, which have no sharded Pub/Sub.
   */
  CLASSIC
}
