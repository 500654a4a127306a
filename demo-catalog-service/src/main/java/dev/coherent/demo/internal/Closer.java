package dev.coherent.demo.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what was registered, last first, logging (not throwing) what fails, so that one broken
 * resource never keeps the others open. Used both to undo a failed start and to stop.
 *
 * <p>Thread-safe: all methods are synchronized; {@link #close()} runs once.
 */
public final class Closer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private final String owner;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private boolean closed;

  public Closer(String owner) {
    this.owner = owner;
  }

  /** Registers a resource and returns it. */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    if (closed) {
      throw new IllegalStateException(owner + " is already closed; cannot register " + resource);
    }
    resources.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception | LinkageError e) {
        log.warn("{}: closing {} failed: {}", owner, resource, e.toString());
      }
    }
  }
}
