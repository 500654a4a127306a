package dev.coherent.demo.catalog.internal;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NearCache;
import dev.coherent.demo.ApiException;
import dev.coherent.demo.Durations;
import dev.coherent.demo.UsageException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * {@code /admin/*}: every request needs {@code Authorization: Bearer <token>} (401 otherwise).
 * <ul>
 *   <li>{@code GET /admin/cache}: {@link CacheView};
 *   <li>{@code POST /admin/cache/{namespace}/flush}: an epoch bump, seen by every instance;
 *   <li>demo mode only (403 otherwise): {@code POST /admin/chaos/subscriber} ({@link
 *       SubscriberChaos}), and the plain-SQL helpers of the live page and the scenarios, which
 *       bypass the application's caches entirely: {@code POST /admin/sql/products/{id}/price}
 *       (an UPDATE through JDBC) and {@code GET /admin/db/products?ids=1,2} (rows as PostgreSQL
 *       has them).
 * </ul>
 *
 * <p>Thread-safe: stateless over thread-safe collaborators.
 */
final class AdminRoutes {
  static final Duration MIN_CHAOS = Duration.ofSeconds(1);
  static final Duration MAX_CHAOS = Duration.ofMinutes(10);
  static final int MAX_IDS = 100;

  private final byte[] token;
  private final boolean demoMode;
  private final CoherentRuntime runtime;
  private final CacheView view;
  private final SubscriberChaos chaos;
  private final DataSource dataSource;

  AdminRoutes(String token, boolean demoMode, CoherentRuntime runtime, CacheView view,
      SubscriberChaos chaos, DataSource dataSource) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.demoMode = demoMode;
    this.runtime = runtime;
    this.view = view;
    this.chaos = chaos;
    this.dataSource = dataSource;
  }

  void addTo(RoutesConfig routes) {
    routes.before("/admin/*", this::authorize);
    routes.get("/admin/cache", ctx -> ctx.json(view.snapshot()));
    routes.post("/admin/cache/{namespace}/flush", this::flush);
    routes.post("/admin/chaos/subscriber", this::chaos);
    routes.post("/admin/sql/products/{id}/price", this::sqlPrice);
    routes.get("/admin/db/products", this::dbProducts);
  }

  private void authorize(Context ctx) {
    if (ctx.method() == HandlerType.OPTIONS) {
      return; // a CORS preflight carries no credentials
    }
    String header = ctx.header("Authorization");
    byte[] given = header != null && header.startsWith("Bearer ")
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"coherent-demo-admin\"");
      throw new ApiException(401, header == null
          ? "admin endpoints need the header 'Authorization: Bearer <token>' (the demo prints the"
              + " token at startup)"
          : "the admin token is not valid", List.of(), Map.of());
    }
  }

  private void flush(Context ctx) {
    String name = ctx.pathParam("namespace");
    NearCache<?, ?> ns = runtime.namespaces().stream().filter(n -> n.name().equals(name))
        .findFirst().orElseThrow(() -> ApiException.notFound("no namespace '" + name
            + "'; namespaces: " + names()));
    ns.invalidateAll();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("namespace", name);
    body.put("epoch", ns.status().epoch());
    ctx.json(body);
  }

  private void chaos(Context ctx) {
    requireDemoMode();
    JsonInput in = JsonInput.parse(ctx.bodyAsBytes(), "{\"mode\":\"deaf\",\"for\":\"30s\"}")
        .rejectUnknown(Set.of("mode", "for"));
    String mode = in.text("mode", 1, 10, java.util.regex.Pattern.compile("down|deaf|off"),
        "one of \"down\", \"deaf\", \"off\"");
    Duration duration = Duration.ZERO;
    if (!"off".equals(mode)) {
      String text = in.text("for", 1, 20, null, "a duration from " + Durations.format(MIN_CHAOS)
          + " to " + Durations.format(MAX_CHAOS) + " such as \"30s\"");
      if (text != null) {
        try {
          duration = Durations.parse("for", text);
          if (duration.compareTo(MIN_CHAOS) < 0 || duration.compareTo(MAX_CHAOS) > 0) {
            in.error("for", "must be from " + Durations.format(MIN_CHAOS) + " to "
                + Durations.format(MAX_CHAOS) + " but was \"" + text + "\"");
          }
        } catch (UsageException e) {
          in.error("for", "must be " + Durations.VALID_FORMS + ", but was \"" + text + "\"");
        }
      }
    }
    in.check();
    SubscriberChaos.Mode m = SubscriberChaos.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
    chaos.set(m, duration);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("instance", runtime.instanceId());
    body.put("mode", mode);
    body.put("forMs", duration.toMillis());
    ctx.json(body);
  }

  private void sqlPrice(Context ctx) throws SQLException {
    requireDemoMode();
    long id = RequestParts.id(ctx, "id", "product");
    long price = ProductFields.readPrice(ctx.bodyAsBytes());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE products SET price_cents = ? WHERE id = ? RETURNING version")) {
      ps.setLong(1, price);
      ps.setLong(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw ApiException.notFound("no product " + id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("priceCents", price);
        body.put("version", rs.getLong(1));
        ctx.json(body);
      }
    }
  }

  private void dbProducts(Context ctx) throws SQLException {
    requireDemoMode();
    String raw = ctx.queryParam("ids");
    List<Long> ids = new ArrayList<>();
    if (raw != null && !raw.isBlank()) {
      for (String part : raw.split(",", -1)) {
        String p = part.trim();
        if (!p.matches("\\d{1,18}") || Long.parseLong(p) < 1) {
          throw ApiException.badRequest("ids", "must be 1 to " + MAX_IDS + " product ids separated"
              + " by commas, e.g. 1,2,3, but contained '" + p + "'");
        }
        ids.add(Long.parseLong(p));
      }
    }
    if (ids.isEmpty() || ids.size() > MAX_IDS) {
      throw ApiException.badRequest("ids", "must be 1 to " + MAX_IDS + " product ids separated by"
          + " commas, e.g. 1,2,3, but " + (ids.isEmpty() ? "none were given" : ids.size() + " were"));
    }
    Map<Long, Map<String, Object>> rows = new LinkedHashMap<>();
    for (Long id : ids) {
      Map<String, Object> missing = new LinkedHashMap<>();
      missing.put("id", id);
      missing.put("exists", false);
      rows.put(id, missing);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id, price_cents, version FROM products WHERE id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", rs.getLong(1));
          row.put("exists", true);
          row.put("priceCents", rs.getLong(2));
          row.put("version", rs.getLong(3));
          rows.put(rs.getLong(1), row);
        }
      }
    }
    ctx.json(List.copyOf(rows.values()));
  }

  private void requireDemoMode() {
    if (!demoMode) {
      throw new ApiException(403, "this endpoint works in demo mode only", List.of(), Map.of());
    }
  }

  private String names() {
    Set<String> names = new TreeSet<>();
    runtime.namespaces().forEach(n -> names.add(n.name()));
    return String.join(", ", names);
  }
}
