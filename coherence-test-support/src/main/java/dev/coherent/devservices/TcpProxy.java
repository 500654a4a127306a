package dev.coherent.devservices;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder to one target, for faults a server cannot produce itself: {@link
 * #stall()} stops moving bytes in both directions but keeps every connection open, so a client's
 * commands time out (instead of failing fast on a closed socket); {@link #resume()} lets the bytes
 * held meanwhile through, in order. Works for any byte protocol (RESP for Lettuce).
 *
 * <p>Threads: one acceptor ({@code tcp-proxy-accept}), two pumps per connection ({@code
 * tcp-proxy-up}, {@code tcp-proxy-down}), all daemons, at most {@link #MAX_CONNECTIONS}
 * connections (more are refused by closing them), and any caller of {@code stall}, {@code resume}
 * and {@code close}. Thread-safety: {@code stalled} and {@code closed} are guarded by this
 * object's monitor (pumps wait on it before each write); open sockets are in a concurrent set.
 */
public final class TcpProxy implements AutoCloseable {
  /** More than enough for a few Lettuce clients (two connections each, plus reconnects). */
  public static final int MAX_CONNECTIONS = 64;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private boolean stalled; // guarded by this
  private boolean closed; // guarded by this

  private TcpProxy(InetSocketAddress target, ServerSocket server) {
    this.target = target;
    this.server = server;
    this.acceptor = new Thread(this::accept, "tcp-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
  }

  /** Listens on a free 127.0.0.1 port and forwards every connection to {@code host:port}. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      // Port 0: the kernel picks a free port and we keep it bound (no pick-then-bind race).
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      TcpProxy proxy = new TcpProxy(new InetSocketAddress(targetHost, targetPort), server);
      proxy.acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on a loopback port", e);
    }
  }

  /** A proxy in front of a Redis service. */
  public static TcpProxy to(RedisService redis) {
    RedisURI uri = redis.uri();
    return start(uri.getHost(), uri.getPort());
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code redis://127.0.0.1:port}, for a Redis target without credentials. */
  public String url() {
    return "redis://127.0.0.1:" + port();
  }

  /** A copy of {@code uri} (credentials, database) pointing at this proxy instead. */
  public RedisURI redisUri(RedisURI uri) {
    RedisURI copy = RedisURI.builder(uri).build();
    copy.setHost("127.0.0.1");
    copy.setPort(port());
    return copy;
  }

  /** Stops moving bytes both ways; connections stay open and new ones are accepted, silent. */
  public synchronized void stall() {
    stalled = true;
  }

  /** Moves bytes again, first the ones held since {@link #stall()}. */
  public synchronized void resume() {
    stalled = false;
    notifyAll();
  }

  /** Closes the listener and every connection; the threads end. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    closeQuietly(server);
    sockets.forEach(TcpProxy::closeQuietly);
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (sockets.size() >= 2 * MAX_CONNECTIONS || isClosed()) {
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(target, 2000);
      } catch (IOException e) {
        closeQuietly(client); // the target is down: the client sees a refused-like close
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      pump(client, upstream, "tcp-proxy-up");
      pump(upstream, client, "tcp-proxy-down");
      if (isClosed()) { // close() may have run between the check above and the adds
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  private void pump(Socket from, Socket to, String name) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (!awaitFlowing()) {
            return;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // One side closed or reset: close the pair below.
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }, name + "-" + port());
    t.setDaemon(true);
    t.start();
  }

  /** Waits while stalled; false once closed. */
  private synchronized boolean awaitFlowing() {
    while (stalled && !closed) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !closed;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Closing: nothing to report.
    }
  }
}
