package dev.coherent.devservices;

/**
 * A PostgreSQL server for tests and the demo. Obtain it from {@link Services#postgres()}. Each test
 * class that wants a clean slate asks for {@link #createDatabase(String)}: a new, empty database
 * with a unique name, so test classes never see each other's rows.
 */
public interface PostgresService {

  /** Where this server came from. */
  ServiceSource source();

  /** The JDBC URL of the server's default database. */
  String jdbcUrl();

  String user();

  String password();

  /** Creates a new empty database whose name starts with {@code prefix} and returns it. */
  Database createDatabase(String prefix);
}
