package dev.coherent.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class DataSourceUrlsUnitTests {

  @Test
  void passwordsAreMaskedWhereverTheyAppear() {
    assertThat(DataSourceUrls.mask("jdbc:postgresql://db:5432/app?user=u&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=u&password=***&ssl=true");
    assertThat(DataSourceUrls.mask("jdbc:postgresql://db/app?PASSWORD=s3cret"))
        .isEqualTo("jdbc:postgresql://db/app?PASSWORD=***");
    assertThat(DataSourceUrls.mask("jdbc:postgresql://db/app;password=s3cret;user=u"))
        .isEqualTo("jdbc:postgresql://db/app;password=***;user=u");
    assertThat(DataSourceUrls.mask("jdbc:postgresql://db/app")).isEqualTo("jdbc:postgresql://db/app");
  }

  @Test
  void theConfiguredUrlIsReadFromTheCommonGettersWithoutConnecting() {
    assertThat(DataSourceUrls.configuredUrl(new HikariLike("jdbc:postgresql://h/a?password=x")))
        .isEqualTo("jdbc:postgresql://h/a?password=***");
    assertThat(DataSourceUrls.configuredUrl(new DriverLike("jdbc:postgresql://h/b"))).isEqualTo("jdbc:postgresql://h/b");
    assertThat(DataSourceUrls.configuredUrl(new Unnamed())).isNull();
    assertThat(DataSourceUrls.configuredUrl(new HikariLike(" "))).isNull();
  }

  @Test
  void aDataSourceWithoutAUrlIsDescribedByItsClass() {
    assertThat(DataSourceUrls.describe(new Unnamed(), null))
        .isEqualTo("a " + Unnamed.class.getName() + " (its JDBC URL is not obtainable)");
    assertThat(DataSourceUrls.describe(new Unnamed(), "jdbc:postgresql://h/c")).isEqualTo("jdbc:postgresql://h/c");
  }

  /** Refuses every connection, like a database that is down. */
  public static class Unnamed implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      throw new SQLException("Connection to 127.0.0.1:1 refused");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return new PrintWriter(System.err);
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }

  /** Like HikariDataSource: {@code getJdbcUrl()}. */
  public static class HikariLike extends Unnamed {
    private final String url;

    public HikariLike(String url) {
      this.url = url;
    }

    public String getJdbcUrl() {
      return url;
    }
  }

  /** Like PGSimpleDataSource: {@code getUrl()}. */
  public static class DriverLike extends Unnamed {
    private final String url;

    public DriverLike(String url) {
      this.url = url;
    }

    public String getUrl() {
      return url;
    }
  }
}
