package dev.coherent.demo.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where a running {@code demo} tells a {@code scenario} started later how to reach it: the
 * instances' URLs, the admin token, and the Redis and PostgreSQL it runs on. One file per
 * instance-a port, {@code <java.io.tmpdir>/coherent-demo-<user>/<portA>.json}, readable by its
 * owner only (it holds the token and the database password), deleted when the demo stops.
 *
 * <p>Immutable; each call reads or writes the file anew.
 */
public final class DemoStateFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the file holds. */
  public record State(String a, String b, String adminToken, String redisUrl, String jdbcUrl,
      String jdbcUser, String jdbcPassword, long reconcileIntervalMs) {}

  private DemoStateFile() {}

  /** The file of the demo whose instance-a listens on {@code portA}. */
  public static Path path(int portA) {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), "coherent-demo-" + user,
        portA + ".json");
  }

  /** Writes the file (atomically, owner-only) and returns its path. */
  public static Path write(int portA, State state) throws IOException {
    Path file = path(portA);
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "state", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the temp directory's own protection applies
      }
      JSON.writeValue(tmp.toFile(), state);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return file;
  }

  /** The state of a demo on {@code portA}, if its file exists and reads. */
  public static Optional<State> read(int portA) {
    Path file = path(portA);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), State.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public static void delete(int portA) {
    try {
      Files.deleteIfExists(path(portA));
    } catch (IOException e) {
      // best effort at shutdown: a stale file is ignored by the scenario when A does not answer
    }
  }
}
