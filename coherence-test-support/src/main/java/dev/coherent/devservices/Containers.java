package dev.coherent.devservices;

import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;

/**
 * Whether {@link Services} can use Testcontainers. Testcontainers is an optional dependency of
 * this module: the tests of the other modules add it, the demo and benchmark jars do not ship it.
 * Only this class, {@link ContainerRedis} and {@link ContainerPostgres} refer to its classes, and
 * {@link Services} touches them only after {@link #present(String, ClassLoader)} said yes, so
 * without Testcontainers the lookup goes from an explicit URL straight to embedded binaries.
 *
 * <p>Thread-safe: stateless.
 */
final class Containers {
  /** In {@code org.testcontainers:testcontainers}: needed for any container, and the Docker probe. */
  static final String CORE_CLASS = "org.testcontainers.DockerClientFactory";

  /** In {@code org.testcontainers:testcontainers-postgresql}: needed for PostgreSQL in a container. */
  static final String POSTGRES_CLASS = "org.testcontainers.postgresql.PostgreSQLContainer";

  private Containers() {}

  /** Whether {@code className} can be loaded through {@code loader} (it is not initialized). */
  static boolean present(String className, @Nullable ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether a Docker engine answers; call only when {@link #CORE_CLASS} is present. */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
