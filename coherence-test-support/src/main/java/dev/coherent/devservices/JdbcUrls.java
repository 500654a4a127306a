package dev.coherent.devservices;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

/** Validation of PostgreSQL JDBC URLs given by configuration, with messages naming the setting. */
public final class JdbcUrls {
  private static final String VALID = "expected jdbc:postgresql://host[:port]/database[?options]";

  private JdbcUrls() {}

  /** Parses a PostgreSQL JDBC URL or fails naming the setting, the value and the valid form. */
  public static Properties parse(String setting, String url) {
    Properties parsed = url.startsWith("jdbc:postgresql:") ? Driver.parseURL(url, null) : null;
    if (parsed == null) {
      throw new ServiceConfigurationException(
          setting + "='" + Settings.mask(url) + "' is not a PostgreSQL JDBC URL; " + VALID);
    }
    return parsed;
  }

  /** Connects once within 5 seconds or fails naming the setting, the value and the cause. */
  public static void requireReachable(
      String setting, String url, @Nullable String user, @Nullable String password) {
    parse(setting, url);
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("loginTimeout", "5");
    try (Connection connection = DriverManager.getConnection(url, properties)) {
      connection.isValid(5);
    } catch (SQLException e) {
      throw new ServiceConfigurationException(
          setting + "='" + Settings.mask(url) + "' (user " + user + ") cannot be reached: "
              + e.getMessage() + "; fix it or unset " + setting + " to use an embedded PostgreSQL",
          e);
    }
  }

  /** The same URL pointing at another database. */
  static String withDatabase(String url, String database) {
    return url.replaceFirst("^(jdbc:postgresql://[^/?]*)(/[^?]*)?", "$1/" + database);
  }
}
