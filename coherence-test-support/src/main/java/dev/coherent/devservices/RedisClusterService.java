package dev.coherent.devservices;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;

/**
 * A Redis Cluster for tests and benchmarks (3 masters with one replica each when this JVM starts
 * it), with the fault operations the cluster tests need. Obtain it from {@link
 * Services#redisCluster()}; it is shared by every test in the JVM, so tests isolate themselves by
 * unique tenants. Fault operations name their target by a key (or a hash tag such as {@code
 * {t1:items}}): the master that owns its slot.
 *
 * <p>Thread-safe: administrative commands each open a short connection; fault operations are
 * serialized.
 */
public interface RedisClusterService {

  ServiceSource source();

  /** New seed URIs, one per node known at start (callers may change them freely). */
  List<RedisURI> seeds();

  /** The seeds as URLs ({@code redis://host:port}). */
  List<String> seedUrls();

  /** Whether the fault operations are possible (not for a configured cluster). */
  boolean canInjectFaults();

  /** The {@code host:port} of the master that owns {@code key}'s slot now. */
  String masterOf(String key);

  /** The {@code host:port} of every master now, in port order. */
  List<String> masters();

  /**
   * A graceful failover of {@code key}'s master: {@code CLUSTER FAILOVER} on its replica, which
   * returns once the replica has caught up and taken over. Returns the new master.
   */
  String failover(String key);

  /**
   * SIGKILL of {@code key}'s master; returns once its replica is promoted and the cluster is ok
   * again (about the node timeout, 1 s, plus an election). The killed node is then started again
   * and rejoins as a replica, so the cluster keeps its shape for the next test. Returns the new
   * master.
   */
  String killMaster(String key);

  /**
   * Moves {@code key}'s slot, with its keys, to another master ({@code SETSLOT IMPORTING /
   * MIGRATING}, {@code MIGRATE}, {@code SETSLOT NODE}). Returns the new owner.
   */
  String migrateSlot(String key);

  /** Stops a node ({@code host:port}) with SIGTERM, starts it again on the same port. */
  void restartNode(String node);

  /** Kills every Pub/Sub client connection on every node; returns how many. */
  long killPubSubClients();

  /** {@code CLIENT PAUSE millis ALL} on every master; returns at once. */
  void pause(Duration duration);

  /** Waits until every node reports {@code cluster_state:ok} and agrees on the slot owners. */
  void awaitHealthy(Duration timeout);
}
