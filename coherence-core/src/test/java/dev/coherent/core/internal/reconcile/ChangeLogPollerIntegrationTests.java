package dev.coherent.core.internal.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.reconcile.CatalogFixture;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The change-log watermark against real PostgreSQL: out-of-order commits, failures, retention. */
class ChangeLogPollerIntegrationTests {
  private CatalogFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new CatalogFixture(100);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  /** Collects what polls hand over. */
  static final class Recorder implements ChangeLogPoller.Sink {
    final List<ChangeLogPoller.Change> applied = new ArrayList<>();
    int retentionExceeded;

    @Override
    public boolean apply(List<ChangeLogPoller.Change> page) {
      applied.addAll(page);
      return true;
    }

    @Override
    public void retentionExceeded(long prunedThrough, ChangeLogPoller.Watermark watermark) {
      retentionExceeded++;
    }

    Set<String> keys() {
      Set<String> keys = new TreeSet<>();
      applied.forEach(c -> keys.add(c.key()));
      return keys;
    }
  }

  private static void update(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE items SET name = name || '+' WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  @Test
  void aTransactionThatCommitsAfterAYoungerOneIsNotSkipped() throws Exception {
    ChangeLogPoller poller = new ChangeLogPoller(ChangeLogOptions.builder(fixture.dataSource()).build());
    poller.startAtHead();
    try (Connection t1 = fixture.dataSource().getConnection();
        Connection t2 = fixture.dataSource().getConnection()) {
      t1.setAutoCommit(false);
      t2.setAutoCommit(false);
      update(t1, 1); // T1 takes the smaller transaction id and the smaller change-log id ...
      update(t2, 2);
      t2.commit(); // ... but T2 commits first
      Recorder first = new Recorder();
      poller.poll(List.of(CatalogFixture.NAMESPACE), first);
      assertThat(first.keys()).containsExactly("2");

      t1.commit();
      Recorder second = new Recorder();
      poller.poll(List.of(CatalogFixture.NAMESPACE), second);
      // An "id > last seen id" watermark would have skipped T1's row here.
      assertThat(second.keys()).containsExactly("1");

      Recorder third = new Recorder();
      poller.poll(List.of(CatalogFixture.NAMESPACE), third);
      assertThat(third.applied).isEmpty();
    }
  }

  @Test
  void aPollThatFailsHalfWayIsRepeatedWholeByTheNext() throws Exception {
    AtomicInteger pageQueries = new AtomicInteger();
    AtomicInteger failAtPage = new AtomicInteger(3);
    DataSource flaky = failingOnPage(fixture.dataSource(), pageQueries, failAtPage);
    ChangeLogPoller poller =
        new ChangeLogPoller(ChangeLogOptions.builder(flaky).pageSize(10).build());
    poller.startAtHead();
    for (int id = 1; id <= 35; id++) {
      fixture.update(Integer.toString(id), "changed");
    }
    Recorder crashed = new Recorder();
    assertThatThrownBy(() -> poller.poll(List.of(CatalogFixture.NAMESPACE), crashed))
        .isInstanceOf(SQLException.class);
    assertThat(crashed.applied).hasSize(20); // two pages made it before the "crash"

    failAtPage.set(-1);
    Recorder restarted = new Recorder();
    poller.poll(List.of(CatalogFixture.NAMESPACE), restarted);
    assertThat(restarted.applied).hasSize(35);
    assertThat(restarted.keys()).hasSize(35);
  }

  @Test
  void onlyTheRuntimesNamespacesAreRead() throws Exception {
    ChangeLogPoller poller = new ChangeLogPoller(ChangeLogOptions.builder(fixture.dataSource()).build());
    poller.startAtHead();
    fixture.update("5", "x");
    Recorder none = new Recorder();
    poller.poll(List.of("some:other"), none);
    assertThat(none.applied).isEmpty();
  }

  @Test
  void aWatermarkOlderThanTheRetainedLogFlushesInsteadOfReplaying() throws Exception {
    ChangeLogPoller poller = new ChangeLogPoller(ChangeLogOptions.builder(fixture.dataSource()).build());
    poller.startAtHead();
    fixture.update("7", "soon pruned");
    try (Connection c = fixture.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("UPDATE coherent_change_log SET changed_at = now() - interval '2 days'");
      s.execute("SELECT coherent_prune_change_log(interval '1 day')");
    }
    Recorder recorder = new Recorder();
    poller.poll(List.of(CatalogFixture.NAMESPACE), recorder);
    assertThat(recorder.retentionExceeded).isEqualTo(1);
    assertThat(recorder.applied).isEmpty();
    // From the new watermark on, polls work normally.
    fixture.update("8", "after");
    Recorder next = new Recorder();
    poller.poll(List.of(CatalogFixture.NAMESPACE), next);
    assertThat(next.retentionExceeded).isZero();
    assertThat(next.keys()).containsExactly("8");
  }

  /** A DataSource whose change-log page query number {@code failAt} throws. */
  private static DataSource failingOnPage(DataSource real, AtomicInteger pages, AtomicInteger failAt) {
    InvocationHandler dataSource = (proxy, method, args) -> {
      Object result = invoke(real, method, args);
      if (result instanceof Connection connection) {
        return Proxy.newProxyInstance(Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class}, (p, m, a) -> {
              Object r = invoke(connection, m, a);
              if (r instanceof PreparedStatement ps && m.getName().equals("prepareStatement")
                  && ((String) a[0]).contains("ORDER BY id")) {
                return Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (pp, mm, aa) -> {
                      if (mm.getName().equals("executeQuery")
                          && pages.incrementAndGet() == failAt.get()) {
                        throw new SQLException("connection lost mid-poll (injected)");
                      }
                      return invoke(ps, mm, aa);
                    });
              }
              return r;
            });
      }
      return result;
    };
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, dataSource);
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
