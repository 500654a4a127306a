package dev.coherent.core.internal.reconcile;

import dev.coherent.core.ChangeLogOptions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the change log past a watermark that can never skip a row committed out of id order.
 *
 * <p>The watermark is the previous poll's snapshot, {@code (xmax, xip)}. Each poll runs in one
 * REPEATABLE READ transaction, takes {@code pg_current_snapshot()} and reads the rows {@code
 * WHERE txid >= prevXmax OR txid = ANY(prevXip)}. A transaction invisible to the previous
 * snapshot was, by definition, in its xip or at/after its xmax, and a transaction's rows become
 * visible all at once at commit: nothing is skipped, and nothing is read twice except rows of a
 * transaction still running (they are invisible now and are read by a later poll). Within a poll,
 * rows are read in pages by id under the same snapshot; the watermark moves only after every page
 * was applied, so a poll that fails half-way is simply repeated (applying a change is idempotent).
 *
 * <p>Not thread-safe: one poll at a time (the reconciler's single thread owns it).
 */
final class ChangeLogPoller {
  /** A change-log row. */
  record Change(long id, String namespace, String key, long version, String op, Instant changedAt) {}

  /** A snapshot's horizon: transactions at or after xmax, or in xip, were not visible to it. */
  record Watermark(long xmin, long xmax, long[] xip) {
    long lowestUnseen() {
      long low = xmax;
      for (long x : xip) {
        low = Math.min(low, x);
      }
      return low;
    }

    @Override
    public String toString() {
      return "Watermark{xmin=" + xmin + ", xmax=" + xmax + ", xip=" + Arrays.toString(xip) + "}";
    }
  }

  /** What a poll hands over: pages of changes, or "rows were pruned before we read them". */
  interface Sink {
    /** Applies one page; false stops reading (the rest is covered some other way). */
    boolean apply(List<Change> page);

    void retentionExceeded(long prunedThrough, Watermark watermark);
  }

  private final ChangeLogOptions options;
  private @Nullable Watermark watermark;

  ChangeLogPoller(ChangeLogOptions options) {
    this.options = options;
  }

  @Nullable Watermark watermark() {
    return watermark;
  }

  /** Starts at the current head: the instance's L1 is empty, so nothing older matters. */
  void startAtHead() throws SQLException {
    try (Connection c = open()) {
      watermark = snapshot(c);
      c.commit();
    }
  }

  /**
   * Reads, in one snapshot, up to {@code maxPages} pages of the committed rows of {@code
   * namespace} whose transaction id is at least {@code fromTxid} and whose id is above {@code
   * afterId}; or reports that rows from there on were pruned. Returns the last id read when more
   * pages may follow, -1 when done. Does not move the watermark: rows committed after this
   * snapshot are invisible to the watermark too, so the next {@link #poll} reads them.
   */
  long replay(String namespace, long fromTxid, long afterId, int maxPages, Sink sink)
      throws SQLException {
    try (Connection c = open()) {
      long next = -1;
      Long pruned = prunedThrough(c);
      if (pruned != null && pruned >= fromTxid) {
        sink.retentionExceeded(pruned, new Watermark(fromTxid, fromTxid, new long[0]));
      } else {
        String sql = "SELECT id, namespace, cache_key, version, op, changed_at FROM "
            + options.table() + " WHERE txid >= ?::text::xid8 AND namespace = ? AND id > ?"
            + " ORDER BY id LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          Paging paging = readPages(ps, statement -> {
            statement.setString(1, Long.toString(fromTxid));
            statement.setString(2, namespace);
          }, 3, afterId, maxPages, sink);
          next = paging.more() ? paging.lastId() : -1;
        }
      }
      c.commit();
      return next;
    }
  }

  /** Reads and applies everything committed since the watermark; returns the rows applied. */
  int poll(Collection<String> namespaces, Sink sink) throws SQLException {
    if (watermark == null) {
      startAtHead();
      return 0;
    }
    Watermark previous = watermark;
    int applied = 0;
    try (Connection c = open()) {
      Watermark now = snapshot(c);
      Long pruned = prunedThrough(c);
      if (pruned != null && pruned >= previous.lowestUnseen()) {
        sink.retentionExceeded(pruned, previous);
      } else if (!namespaces.isEmpty()) {
        applied = readPages(c, previous, namespaces, sink);
      }
      c.commit();
      watermark = now;
    }
    return applied;
  }

  private int readPages(Connection c, Watermark from, Collection<String> namespaces, Sink sink)
      throws SQLException {
    String sql = "SELECT id, namespace, cache_key, version, op, changed_at FROM " + options.table()
        + " WHERE (txid >= ?::text::xid8 OR txid = ANY(?::xid8[]))"
        + " AND namespace = ANY(?) AND id > ? ORDER BY id LIMIT ?";
    String[] xip = new String[from.xip().length];
    for (int i = 0; i < xip.length; i++) {
      xip[i] = Long.toString(from.xip()[i]);
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array xipArray = c.createArrayOf("text", xip);
      Array nsArray = c.createArrayOf("text", namespaces.toArray(new String[0]));
      return readPages(ps, statement -> {
        statement.setString(1, Long.toString(from.xmax()));
        statement.setArray(2, xipArray);
        statement.setArray(3, nsArray);
      }, 4, 0, Integer.MAX_VALUE, sink).rows();
    }
  }

  /** Binds a query's leading parameters; the paging ones follow from {@code nextIndex}. */
  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Where a paged read stopped: rows read, the last id, and whether more pages may follow. */
  private record Paging(int rows, long lastId, boolean more) {}

  /**
   * Runs {@code ps} page by page by id ({@code id > ? ... LIMIT ?} at nextIndex, nextIndex+1),
   * from {@code afterId}, for at most {@code maxPages} pages.
   */
  private Paging readPages(PreparedStatement ps, Binder binder, int nextIndex, long afterId,
      int maxPages, Sink sink) throws SQLException {
    int total = 0;
    long lastId = afterId;
    for (int pages = 0; ; pages++) {
      if (pages >= maxPages) {
        return new Paging(total, lastId, true);
      }
      binder.bind(ps);
      ps.setLong(nextIndex, lastId);
      ps.setInt(nextIndex + 1, options.pageSize());
      List<Change> page = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp at = rs.getTimestamp(6);
          page.add(new Change(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
              rs.getString(5), at == null ? Instant.EPOCH : at.toInstant()));
        }
      }
      boolean more = true;
      if (!page.isEmpty()) {
        more = sink.apply(page);
        total += page.size();
        lastId = page.get(page.size() - 1).id();
      }
      if (!more || page.size() < options.pageSize()) {
        return new Paging(total, lastId, false);
      }
    }
  }

  private Connection open() throws SQLException {
    Connection c = options.dataSource().getConnection();
    try {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  private static Watermark snapshot(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmin(snap)::text,"
            + " pg_snapshot_xmax(snap)::text,"
            + " ARRAY(SELECT x::text FROM pg_snapshot_xip(snap) AS x)"
            + " FROM pg_current_snapshot() AS snap")) {
      rs.next();
      String[] xip = (String[]) rs.getArray(3).getArray();
      long[] ids = new long[xip.length];
      for (int i = 0; i < xip.length; i++) {
        ids[i] = Long.parseLong(xip[i]);
      }
      return new Watermark(Long.parseLong(rs.getString(1)), Long.parseLong(rs.getString(2)), ids);
    }
  }

  private @Nullable Long prunedThrough(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT pruned_through_txid::text FROM " + options.horizonTable())) {
      if (!rs.next()) {
        return null;
      }
      String value = rs.getString(1);
      return value == null ? null : Long.parseLong(value);
    }
  }
}
