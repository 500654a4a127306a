package dev.coherent.demo.internal.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The scenarios' HTTP client of one catalog instance: product reads and writes, and the admin
 * endpoints (with the bearer token). A failed exchange throws {@link IllegalStateException} with
 * the URL, the status and the body.
 *
 * <p>Thread-safe: Java's {@link HttpClient} is; the rest is immutable.
 */
public final class CatalogClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A product read: its version and price, or {@link #DELETED} as the version of a 404. */
  public record Read(long version, long priceCents) {}

  /** The version a read reports for a product that does not exist (any write is older). */
  public static final long DELETED = Long.MAX_VALUE;

  private final HttpClient http;
  private final URI base;
  private final String token;

  public CatalogClient(HttpClient http, URI base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  public URI base() {
    return base;
  }

  public Read product(long id) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/products/" + id)).GET());
    if (r.statusCode() == 404) {
      return new Read(DELETED, -1);
    }
    JsonNode body = ok(r);
    return new Read(body.get("version").asLong(), body.get("priceCents").asLong());
  }

  /** {@code PATCH /products/{id}/price}; returns the committed version. */
  public long setPrice(long id, long priceCents) {
    return ok(send(HttpRequest.newBuilder(base.resolve("/products/" + id + "/price"))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(
            "{\"priceCents\":" + priceCents + "}")))).get("version").asLong();
  }

  /** {@code DELETE /products/{id}}. */
  public void delete(long id) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/products/" + id)).DELETE());
    if (r.statusCode() != 204) {
      throw failure(r);
    }
  }

  public JsonNode adminCache() {
    return ok(send(admin("/admin/cache").GET()));
  }

  /** {@code POST /admin/chaos/subscriber}: {@code mode} down, deaf or off. */
  public void chaos(String mode, Duration duration) {
    String body = "{\"mode\":\"" + mode + "\"" + (mode.equals("off") ? ""
        : ",\"for\":\"" + Math.max(1, duration.toSeconds()) + "s\"") + "}";
    ok(send(admin("/admin/chaos/subscriber").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))));
  }

  /** Whether {@code GET /health} answers 200 within a second. */
  public boolean healthy() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/health"))
          .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpRequest.Builder admin(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(TIMEOUT).build();
    try {
      return http.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(built.method() + " " + built.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + built.uri(), e);
    }
  }

  private static JsonNode ok(HttpResponse<String> r) {
    if (r.statusCode() / 100 != 2) {
      throw failure(r);
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(r.uri() + " answered no JSON: " + r.body(), e);
    }
  }

  private static IllegalStateException failure(HttpResponse<String> r) {
    return new IllegalStateException(r.request().method() + " " + r.uri() + " answered "
        + r.statusCode() + ": " + r.body());
  }
}
