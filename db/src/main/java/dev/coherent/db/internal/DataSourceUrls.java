package dev.coherent.db.internal;

import java.lang.reflect.Method;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** Names a {@link DataSource} in messages: its JDBC URL where obtainable, passwords masked. */
public final class DataSourceUrls {
  /** Getters of common pools and drivers: HikariCP, PGSimpleDataSource, DBCP, c3p0, Tomcat. */
  private static final String[] URL_GETTERS = {"getJdbcUrl", "getUrl", "getURL"};

  /** {@code password=...} as a URL query or property parameter, up to the next separator. */
  private static final Pattern PASSWORD =
      Pattern.compile("(?i)(password=)[^&;?\\s]*");

  private DataSourceUrls() {}

  /**
   * The URL the data source is configured with, read through a public no-argument getter and
   * without connecting; {@code null} when it has no such getter.
   */
  public static @Nullable String configuredUrl(DataSource dataSource) {
    for (String getter : URL_GETTERS) {
      try {
        Method method = dataSource.getClass().getMethod(getter);
        if (method.getReturnType() == String.class) {
          Object url = method.invoke(dataSource);
          if (url instanceof String s && !s.isBlank()) {
            return mask(s);
          }
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Not this getter (absent, not accessible, or it threw): try the next one.
      }
    }
    return null;
  }

  /** The URL with every {@code password=} value replaced by {@code ***}. */
  public static String mask(String url) {
    return PASSWORD.matcher(url).replaceAll("$1***");
  }

  /** The URL if known, else the data source's class, for a message. */
  public static String describe(DataSource dataSource, @Nullable String url) {
    return url != null
        ? url
        : "a " + dataSource.getClass().getName() + " (its JDBC URL is not obtainable)";
  }
}
