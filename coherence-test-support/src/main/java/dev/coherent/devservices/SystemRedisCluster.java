package dev.coherent.devservices;

import io.lettuce.core.KillArgs;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Six nodes of the system's {@code redis-server} (7 or later: sharded Pub/Sub) on free loopback
 * ports, joined into 3 masters with one replica each by {@code redis-cli --cluster create},
 * without persistence (a restarted node resyncs from its master). Node timeout 1 s, so a killed
 * master's replica takes over within a few seconds. Stopped at JVM exit.
 *
 * <p>Thread-safe: node processes are replaced under this object's lock; administrative commands
 * each use their own short connection.
 */
final class SystemRedisCluster implements RedisClusterService {
  private static final Logger log = LoggerFactory.getLogger(SystemRedisCluster.class);
  private static final int NODES = 6;
  private static final Duration HEALTHY_WAIT = Duration.ofSeconds(30);
  private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.");

  private final Path dir;
  private final Map<Integer, Process> processes = new TreeMap<>();
  private final RedisClient admin = RedisClient.create();

  private SystemRedisCluster(Path dir) {
    this.dir = dir;
  }

  /** Why the system binaries cannot make a cluster here, or null when they can. */
  static @Nullable String unavailableReason() {
    try {
      Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(5, TimeUnit.SECONDS);
      Matcher m = VERSION.matcher(out);
      if (!m.find() || Integer.parseInt(m.group(1)) < 7) {
        return "the system's redis-server is not Redis 7 or later (" + out.trim() + "); sharded"
            + " Pub/Sub needs 7 (apt-get install redis-server)";
      }
      Process cli = new ProcessBuilder("redis-cli", "--version").redirectErrorStream(true).start();
      cli.getInputStream().readAllBytes();
      return cli.waitFor(5, TimeUnit.SECONDS) && cli.exitValue() == 0 ? null
          : "redis-cli is missing (apt-get install redis-tools)";
    } catch (IOException e) {
      return "no redis-server 7 on the PATH (apt-get install redis-server): " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing redis-server";
    }
  }

  static SystemRedisCluster launch() {
    try {
      SystemRedisCluster cluster =
          new SystemRedisCluster(Files.createTempDirectory("coherent-redis-cluster"));
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopAll, "redis-cluster-stop"));
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int i = 0; i < NODES; i++) {
        int port = FreePort.pick();
        cluster.startNode(port);
        create.add("127.0.0.1:" + port);
      }
      for (int port : cluster.ports()) {
        cluster.awaitPing(port);
      }
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true)
          .redirectOutput(cluster.dir.resolve("create.log").toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed; see "
            + cluster.dir.resolve("create.log"));
      }
      cluster.awaitHealthy(HEALTHY_WAIT);
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a Redis Cluster of the system's redis-server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the Redis Cluster", e);
    }
  }

  private synchronized List<Integer> ports() {
    return List.copyOf(processes.keySet());
  }

  private synchronized void startNode(int port) throws IOException {
    File logFile = dir.resolve("node-" + port + ".log").toFile();
    Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--cluster-enabled", "yes",
        "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
        "--cluster-node-timeout", "1000", "--cluster-allow-replica-migration", "no",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile))
        .start();
    processes.put(port, process);
  }

  private void awaitPing(int port) {
    long deadline = System.nanoTime() + HEALTHY_WAIT.toNanos();
    while (true) {
      try {
        if ("PONG".equals(run(port, RedisCommands::ping))) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server on port " + port + " does not answer; see "
              + dir.resolve("node-" + port + ".log"), e);
        }
      }
      pauseBriefly();
    }
  }

  <T> T run(int port, Function<RedisCommands<String, String>, T> command) {
    RedisURI uri = RedisURI.create("127.0.0.1", port);
    uri.setTimeout(Duration.ofSeconds(5));
    try (StatefulRedisConnection<String, String> connection = admin.connect(uri)) {
      return command.apply(connection.sync());
    }
  }

  /** One line of CLUSTER NODES. */
  private record Node(String id, int port, boolean master, boolean failed, String masterId,
      List<int[]> slots) {
    boolean owns(int slot) {
      for (int[] range : slots) {
        if (slot >= range[0] && slot <= range[1]) {
          return true;
        }
      }
      return false;
    }
  }

  private List<Node> nodes(int askPort) {
    String text = run(askPort, RedisCommands::clusterNodes);
    List<Node> nodes = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      String address = f[1].substring(0, f[1].indexOf('@'));
      int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being migrated or imported
        }
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        slots.add(new int[] {from, range.length > 1 ? Integer.parseInt(range[1]) : from});
      }
      nodes.add(new Node(f[0], port, f[2].contains("master"), f[2].contains("fail"), f[3], slots));
    }
    return nodes;
  }

  private int anyLivePort() {
    for (int port : ports()) {
      Process process = processFor(port);
      if (process != null && process.isAlive()) {
        try {
          run(port, RedisCommands::ping);
          return port;
        } catch (RuntimeException e) {
          // try the next one
        }
      }
    }
    throw new IllegalStateException("no node of the Redis Cluster answers; logs in " + dir);
  }

  private synchronized @Nullable Process processFor(int port) {
    return processes.get(port);
  }

  private Node ownerOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (Node node : nodes(anyLivePort())) {
      if (node.master() && !node.failed() && node.owns(slot)) {
        return node;
      }
    }
    throw new IllegalStateException("no live master owns slot " + slot + " (key " + key + ")");
  }

  private Node replicaOf(Node master) {
    for (Node node : nodes(anyLivePort())) {
      if (!node.master() && !node.failed() && node.masterId().equals(master.id())) {
        return node;
      }
    }
    throw new IllegalStateException("master 127.0.0.1:" + master.port() + " has no live replica");
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.SYSTEM;
  }

  @Override
  public List<RedisURI> seeds() {
    List<RedisURI> seeds = new ArrayList<>();
    ports().forEach(port -> seeds.add(RedisURI.create("127.0.0.1", port)));
    return seeds;
  }

  @Override
  public List<String> seedUrls() {
    List<String> urls = new ArrayList<>();
    ports().forEach(port -> urls.add("redis://127.0.0.1:" + port));
    return urls;
  }

  @Override
  public boolean canInjectFaults() {
    return true;
  }

  @Override
  public String masterOf(String key) {
    return "127.0.0.1:" + ownerOf(key).port();
  }

  @Override
  public List<String> masters() {
    List<String> masters = new ArrayList<>();
    nodes(anyLivePort()).stream().filter(n -> n.master() && !n.failed() && !n.slots().isEmpty())
        .sorted(Comparator.comparingInt(Node::port))
        .forEach(n -> masters.add("127.0.0.1:" + n.port()));
    return masters;
  }

  @Override
  public synchronized String failover(String key) {
    Node master = ownerOf(key);
    Node replica = replicaOf(master);
    run(replica.port(), redis -> redis.clusterFailover(false));
    awaitOwner(key, replica.port());
    awaitHealthy(HEALTHY_WAIT);
    return "127.0.0.1:" + replica.port();
  }

  @Override
  public synchronized String killMaster(String key) {
    Node master = ownerOf(key);
    Node replica = replicaOf(master);
    Process process = processes.get(master.port());
    process.destroyForcibly(); // SIGKILL
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    awaitOwner(key, replica.port());
    try {
      startNode(master.port()); // rejoins as a replica of its old replica
    } catch (IOException e) {
      throw new UncheckedIOException("could not restart node " + master.port(), e);
    }
    awaitPing(master.port());
    awaitHealthy(HEALTHY_WAIT);
    return "127.0.0.1:" + replica.port();
  }

  @Override
  public synchronized String migrateSlot(String key) {
    int slot = SlotHash.getSlot(key);
    Node source = ownerOf(key);
    Node target = nodes(anyLivePort()).stream()
        .filter(n -> n.master() && !n.failed() && n.port() != source.port() && !n.slots().isEmpty())
        .findFirst().orElseThrow(() -> new IllegalStateException("no other master to move to"));
    run(target.port(), redis -> redis.clusterSetSlotImporting(slot, source.id()));
    run(source.port(), redis -> redis.clusterSetSlotMigrating(slot, target.id()));
    while (true) {
      List<String> keys = run(source.port(), redis -> redis.clusterGetKeysInSlot(slot, 100));
      if (keys.isEmpty()) {
        break;
      }
      run(source.port(), redis -> redis.migrate("127.0.0.1", target.port(), 0, 5000,
          MigrateArgs.Builder.keys(keys)));
    }
    run(target.port(), redis -> redis.clusterSetSlotNode(slot, target.id()));
    run(source.port(), redis -> redis.clusterSetSlotNode(slot, target.id()));
    for (Node node : nodes(target.port())) {
      if (node.master() && !node.failed() && node.port() != source.port()
          && node.port() != target.port()) {
        run(node.port(), redis -> redis.clusterSetSlotNode(slot, target.id()));
      }
    }
    awaitOwner(key, target.port());
    return "127.0.0.1:" + target.port();
  }

  @Override
  public synchronized void restartNode(String node) {
    int port = Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
    Process process = processes.get(port);
    if (process == null) {
      throw new IllegalArgumentException("node " + node + " is not one of " + ports());
    }
    process.destroy(); // SIGTERM
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      startNode(port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException("could not restart node " + node, e);
    }
    awaitPing(port);
    awaitHealthy(HEALTHY_WAIT);
  }

  @Override
  public long killPubSubClients() {
    long killed = 0;
    for (int port : ports()) {
      killed += run(port, redis -> redis.clientKill(KillArgs.Builder.typePubsub()));
    }
    return killed;
  }

  @Override
  public void pause(Duration duration) {
    for (Node node : nodes(anyLivePort())) {
      if (node.master() && !node.failed()) {
        run(node.port(), redis -> redis.clientPause(duration.toMillis()));
      }
    }
  }

  /** Until every node that answers sees {@code key}'s slot owned by the node on {@code port}. */
  private void awaitOwner(String key, int port) {
    int slot = SlotHash.getSlot(key);
    long deadline = System.nanoTime() + HEALTHY_WAIT.toNanos();
    while (true) {
      boolean agreed = true;
      for (int p : ports()) {
        try {
          agreed &= nodes(p).stream().anyMatch(n -> n.port() == port && n.master() && n.owns(slot));
        } catch (RuntimeException e) {
          // a dead node does not vote
        }
      }
      if (agreed) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("slot " + slot + " did not move to port " + port
            + " within " + HEALTHY_WAIT + "; logs in " + dir);
      }
      pauseBriefly();
    }
  }

  @Override
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (healthy()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Redis Cluster is not healthy after " + timeout
            + "; logs in " + dir);
      }
      pauseBriefly();
    }
  }

  private boolean healthy() {
    try {
      int masters = 0;
      for (int port : ports()) {
        if (!run(port, RedisCommands::clusterInfo).contains("cluster_state:ok")) {
          return false;
        }
        List<Node> nodes = nodes(port);
        if (nodes.size() != NODES || nodes.stream().anyMatch(Node::failed)) {
          return false;
        }
        masters = (int) nodes.stream().filter(n -> n.master() && !n.slots().isEmpty()).count();
      }
      return masters == NODES / 2;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void pauseBriefly() {
    try {
      Thread.sleep(50); // a poll of a server process starting or converging
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Redis Cluster", e);
    }
  }

  private synchronized void stopAll() {
    for (Process process : processes.values()) {
      process.destroyForcibly();
    }
    admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    log.debug("Redis Cluster in {} stopped", dir);
  }
}
