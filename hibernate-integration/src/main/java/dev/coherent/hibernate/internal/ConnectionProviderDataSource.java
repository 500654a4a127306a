package dev.coherent.hibernate.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;

/**
 * Hibernate's own connections as the {@link DataSource} the change-log reconciler reads from, so
 * the application configures its database once. A connection's {@code close()} restores what the
 * reader changed (auto-commit, read-only, isolation; an open transaction is rolled back) and hands
 * it back to Hibernate's provider ({@link ConnectionProvider#closeConnection}), which pools or
 * closes it as it does for sessions. Thread-safe if the provider is (Hibernate's are).
 */
public final class ConnectionProviderDataSource implements DataSource {
  private final ConnectionProvider provider;

  public ConnectionProviderDataSource(ConnectionProvider provider) {
    this.provider = provider;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection real = provider.getConnection();
    // Hibernate's pool takes the connection back as the reader leaves it: restore what it changes.
    boolean autoCommit = real.getAutoCommit();
    boolean readOnly = real.isReadOnly();
    int isolation = real.getTransactionIsolation();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            try {
              if (!real.getAutoCommit()) {
                real.rollback(); // nothing of the reader's is left open
              }
              real.setAutoCommit(autoCommit);
              real.setReadOnly(readOnly);
              real.setTransactionIsolation(isolation);
            } finally {
              provider.closeConnection(real);
            }
            return null;
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the change log uses Hibernate's connections");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
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
    throw new SQLFeatureNotSupportedException("no java.util.logging here");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper of " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }

  @Override
  public String toString() {
    return "Hibernate's " + provider.getClass().getSimpleName();
  }
}
