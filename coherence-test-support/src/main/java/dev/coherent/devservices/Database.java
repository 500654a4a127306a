package dev.coherent.devservices;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * One PostgreSQL database: its coordinates and a small connection pool over it. Close it to close
 * the pool (the database itself is left for the server's end of life).
 */
public final class Database implements AutoCloseable {
  private final String name;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final HikariDataSource dataSource;

  Database(String name, String jdbcUrl, String user, String password) {
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    HikariConfig config = new HikariConfig();
    config.setPoolName("coherent-" + name);
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    // Tests run a handful of concurrent transactions at most (out-of-order commit tests need 3).
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(0);
    this.dataSource = new HikariDataSource(config);
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
