package dev.coherent.core;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * Where the reconciler reads the PostgreSQL change log written by the {@code coherent-db}
 * trigger ({@code coherent_track}). Immutable; build with {@link #builder(DataSource)}.
 *
 * <p>The change log's {@code namespace} column must equal the cache namespace names (e.g. the
 * table tracked as {@code catalog:product} feeds the namespace {@code catalog:product}); rows of
 * namespaces this runtime does not have are skipped.
 */
public final class ChangeLogOptions {
  /** Rows read per query; bounds the memory of one page. */
  public static final int DEFAULT_PAGE_SIZE = 1000;
  public static final String DEFAULT_TABLE = "coherent_change_log";
  public static final String DEFAULT_HORIZON_TABLE = "coherent_change_log_horizon";

  private final DataSource dataSource;
  private final int pageSize;
  private final String table;
  private final String horizonTable;

  private ChangeLogOptions(Builder b) {
    this.dataSource = b.dataSource;
    this.pageSize = b.pageSize;
    this.table = b.table;
    this.horizonTable = b.horizonTable;
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public int pageSize() {
    return pageSize;
  }

  public String table() {
    return table;
  }

  public String horizonTable() {
    return horizonTable;
  }

  /** Builds {@link ChangeLogOptions}; not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private String table = DEFAULT_TABLE;
    private String horizonTable = DEFAULT_HORIZON_TABLE;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Rows per query, 1 to 100,000. */
    public Builder pageSize(int rows) {
      if (rows < 1 || rows > 100_000) {
        throw new IllegalArgumentException("pageSize must be from 1 to 100000 but was " + rows);
      }
      this.pageSize = rows;
      return this;
    }

    /** The change-log table, optionally schema-qualified (default coherent_change_log). */
    public Builder table(String table, String horizonTable) {
      this.table = identifier("table", table);
      this.horizonTable = identifier("horizonTable", horizonTable);
      return this;
    }

    public ChangeLogOptions build() {
      return new ChangeLogOptions(this);
    }

    private static String identifier(String what, String value) {
      if (value == null || !value.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
        throw new IllegalArgumentException(what + " '" + value
            + "' must be a plain SQL identifier, optionally schema-qualified (schema.table)");
      }
      return value;
    }
  }
}
