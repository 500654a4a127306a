package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.db.CoherentSchema;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import jakarta.persistence.LockModeType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entities without a {@code @Version}, over tables without a version column, on two instances:
 * versioned by the change log's per-key counter ({@code coherent_track(..., version_column =>
 * NULL)}), they get the same guarantees as versioned ones: updates and deletes on one instance
 * reach the other, with every hint lost within the reconcile bound, plain SQL writes within the
 * bound, and concurrent writers from both instances leave every cache equal to the database.
 */
class UnversionedEntitiesIntegrationTests {
  private static final Duration RECONCILE = Duration.ofMillis(500);
  private static Database db;
  private static SessionFactory a;
  private static SessionFactory b;
  private static long nextId = 1;
  /** Holds b's load of one note between reading its row and caching it (the fill race). */
  private static final LoadGate gate = new LoadGate();

  /** An interceptor whose onLoad (after the row is read, before putFromLoad) can wait. */
  static final class LoadGate implements org.hibernate.Interceptor, java.io.Serializable {
    volatile long heldId = -1;
    final java.util.concurrent.CountDownLatch loaded = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @Override
    public boolean onLoad(Object entity, Object id, Object[] state, String[] propertyNames,
        org.hibernate.type.Type[] types) {
      if (entity instanceof UnversionedNote && id.equals(heldId)) {
        heldId = -1;
        loaded.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return false;
    }
  }

  private static SessionFactory build(Map<String, Object> settings) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      return new MetadataSources(registry).addAnnotatedClasses(Unversioned.class,
          UnversionedNote.class, UntrackedUnversioned.class).buildMetadata().buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  private static Map<String, Object> settings(String instance, String tenant) {
    Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, instance, tenant);
    s.put(CoherentCacheSettings.CHANGE_LOG, "true");
    s.put(CoherentCacheSettings.RECONCILE_INTERVAL, RECONCILE.toMillis() + "ms");
    return s;
  }

  @BeforeAll
  static void start() throws Exception {
    db = Services.postgres().createDatabase("hibernate_unversioned");
    CoherentSchema.migrate(db.dataSource());
    String tenant = "uv" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> first = settings("uv-a", tenant);
    first.put("hibernate.hbm2ddl.auto", "create");
    a = build(first);
    List<String> tracking = CoherentRegionFactory.trackingStatements(a);
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String statement : tracking) {
        if (!statement.contains("UntrackedUnversioned")) {
          s.execute(statement);
        }
      }
    }
    Map<String, Object> second = settings("uv-b", tenant);
    second.put("hibernate.session_factory.interceptor", gate);
    b = build(second);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    db.close();
  }

  private static synchronized long newId() {
    return nextId++;
  }

  private static String nameOn(SessionFactory sf, long id) {
    return sf.fromSession(s -> {
      Unversioned u = s.find(Unversioned.class, id);
      return u == null ? null : u.name;
    });
  }

  private static String noteOn(SessionFactory sf, long id) {
    return sf.fromSession(s -> {
      UnversionedNote n = s.find(UnversionedNote.class, id);
      return n == null ? null : n.name;
    });
  }

  private static String untrackedName(SessionFactory sf, long id) {
    return sf.fromSession(s -> s.find(UntrackedUnversioned.class, id).name);
  }

  private static long create(String name) {
    long id = newId();
    a.inTransaction(s -> s.persist(new Unversioned(id, name)));
    return id;
  }

  private static String inDatabase(String table, long id, String column) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + column + " FROM " + table + " WHERE id = " + id)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void sql(String statement) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  @Test
  void theTablesAreTrackedWithoutAVersionColumn() {
    assertThat(CoherentRegionFactory.trackingStatements(a)).contains(
        "SELECT coherent_track('Unversioned', 'hb:dev.coherent.hibernate.Unversioned', 'id',"
            + " version_column => NULL);");
  }

  @Test
  void anEntityIsCachedAndAnUpdateOnAReachesB() {
    long id = create("first");
    assertThat(nameOn(b, id)).isEqualTo("first");
    Statistics stats = b.getStatistics();
    stats.clear();
    assertThat(nameOn(b, id)).isEqualTo("first");
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats.getSecondLevelCacheMissCount()).isZero();

    a.inTransaction(s -> s.find(Unversioned.class, id).name = "second");
    await().atMost(Duration.ofSeconds(5)).until(() -> "second".equals(nameOn(b, id)));
    // And b caches the new state again.
    stats.clear();
    assertThat(nameOn(b, id)).isEqualTo("second");
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      nameOn(b, id);
      return stats.getSecondLevelCacheHitCount() > 0;
    });
  }

  @Test
  void aDeleteOnAIsNullOnBNotAGhost() {
    long id = create("doomed");
    assertThat(nameOn(b, id)).isEqualTo("doomed");
    a.inTransaction(s -> s.remove(s.find(Unversioned.class, id)));
    await().atMost(Duration.ofSeconds(5)).until(() -> nameOn(b, id) == null);
  }

  @Test
  void withEveryHintLostAnUpdateReachesBWithinTheBound() throws Exception {
    long id = create("before");
    assertThat(nameOn(b, id)).isEqualTo("before");
    assertThat(nameOn(b, id)).isEqualTo("before");
    Services.redis().killPubSubClients();
    a.inTransaction(s -> s.find(Unversioned.class, id).name = "after");
    Services.redis().killPubSubClients();
    await().atMost(RECONCILE.multipliedBy(8)).until(() -> "after".equals(nameOn(b, id)));
  }

  @Test
  void plainSqlWritesReachBothInstancesWithinTheBound() throws Exception {
    long id = create("orig");
    long note = newId();
    a.inTransaction(s -> s.persist(new UnversionedNote(note, "note")));
    for (SessionFactory sf : List.of(a, b)) {
      assertThat(nameOn(sf, id)).isEqualTo("orig");
      assertThat(noteOn(sf, note)).isEqualTo("note");
    }
    sql("UPDATE Unversioned SET name = 'by sql' WHERE id = " + id);
    sql("UPDATE UnversionedNote SET name = 'note by sql' WHERE id = " + note);
    await().atMost(RECONCILE.multipliedBy(8)).until(() -> "by sql".equals(nameOn(a, id))
        && "by sql".equals(nameOn(b, id)) && "note by sql".equals(noteOn(a, note))
        && "note by sql".equals(noteOn(b, note)));
    sql("DELETE FROM Unversioned WHERE id = " + id);
    await().atMost(RECONCILE.multipliedBy(8)).until(() -> nameOn(a, id) == null
        && nameOn(b, id) == null);
  }

  @Test
  void aLoadOverTakenByACommittedUpdateIsNotCachedOverIt() throws Exception {
    long id = newId();
    a.inTransaction(s -> s.persist(new UnversionedNote(id, "old")));
    gate.heldId = id;
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      // b misses, reads the version, reads the old row... and is held before caching it.
      Future<String> read = reader.submit(() -> noteOn(b, id));
      assertThat(gate.loaded.await(30, TimeUnit.SECONDS)).isTrue();
      // Meanwhile a commits an update (NONSTRICT: a tombstone at the new version after commit).
      a.inTransaction(s -> s.find(UnversionedNote.class, id).name = "new");
      gate.release.countDown();
      assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("old"); // what its snapshot saw
    } finally {
      reader.shutdownNow();
    }
    // The old row was filled at the version read before it, below the update's: refused. Had the
    // version been read after the load, it would be the update's, and "old" would be cached.
    for (int i = 0; i < 3; i++) {
      assertThat(noteOn(b, id)).isEqualTo("new");
    }
  }

  @Test
  void aNonStrictEntityWithoutAVersionFollowsUpdatesAcrossInstances() {
    long id = newId();
    a.inTransaction(s -> s.persist(new UnversionedNote(id, "v1")));
    assertThat(noteOn(b, id)).isEqualTo("v1");
    assertThat(noteOn(a, id)).isEqualTo("v1");
    b.inTransaction(s -> s.find(UnversionedNote.class, id).name = "v2");
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(noteOn(a, id)));
  }

  @Test
  void concurrentWritersOnBothInstancesLoseNothingUnderRowLocksAndLeaveEveryCacheEqualToTheDatabase()
      throws Exception {
    long id = create("start");
    int perWriter = 15;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers = new ArrayList<>();
      int w = 0;
      for (SessionFactory sf : List.of(a, b, a, b)) {
        int writer = w++;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            int round = i;
            if (writer % 2 == 0) { // a locked read-modify-write: no lost increment
              sf.inTransaction(s -> s.find(Unversioned.class, id,
                  LockModeType.PESSIMISTIC_WRITE).counter++);
            } else { // a blind write of a state read from the cache: the last one wins
              sf.inTransaction(s -> s.find(Unversioned.class, id).name = "w" + writer + "-" + round);
            }
            nameOn(sf, id); // and reads in between, that fill the caches
          }
          return null;
        }));
      }
      for (Future<?> f : writers) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    String name = inDatabase("Unversioned", id, "name");
    String counter = inDatabase("Unversioned", id, "counter");
    // Blind writes carry the counter they read, so only the locked increments are exact when no
    // blind write overwrote them: what matters is that both caches equal the database.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      for (SessionFactory sf : List.of(a, b)) {
        Unversioned cached = sf.fromSession(s -> s.find(Unversioned.class, id));
        assertThat(cached.name).isEqualTo(name);
        assertThat(Long.toString(cached.counter)).isEqualTo(counter);
      }
    });
  }

  @Test
  void anEntityWhoseTableIsNotTrackedIsNotCachedButWorks() {
    long id = newId();
    a.inTransaction(s -> s.persist(new UntrackedUnversioned(id, "plain")));
    Statistics stats = b.getStatistics();
    stats.clear();
    for (int i = 0; i < 3; i++) {
      assertThat(untrackedName(b, id)).isEqualTo("plain");
    }
    assertThat(stats.getSecondLevelCacheHitCount()).isZero();
    assertThat(stats.getSecondLevelCachePutCount()).isZero();
    a.inTransaction(s -> s.find(UntrackedUnversioned.class, id).name = "changed");
    assertThat(untrackedName(b, id)).isEqualTo("changed");
  }
}
