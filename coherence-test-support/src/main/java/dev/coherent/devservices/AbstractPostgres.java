package dev.coherent.devservices;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Database creation shared by every {@link PostgresService}. */
abstract class AbstractPostgres implements PostgresService {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** The JDBC URL of another database on the same server. */
  abstract String jdbcUrlFor(String database);

  @Override
  public Database createDatabase(String prefix) {
    if (!prefix.matches("[A-Za-z][A-Za-z0-9_]{0,40}")) {
      throw new IllegalArgumentException(
          "database prefix '" + prefix + "' must be a letter then up to 40 letters, digits or _");
    }
    String name =
        (prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet())
            .toLowerCase(Locale.ROOT);
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), user(), password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new ServiceConfigurationException(
          "could not create database " + name + " on " + Settings.mask(jdbcUrl())
              + " as user " + user() + ": " + e.getMessage()
              + " (the user needs the CREATEDB privilege)", e);
    }
    return new Database(name, jdbcUrlFor(name), user(), password());
  }
}
