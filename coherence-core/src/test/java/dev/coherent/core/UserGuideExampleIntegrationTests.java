package dev.coherent.core;

import dev.coherent.devservices.Services;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The complete example of docs/user-guide.md. The code between the {@code user-guide} markers is
 * copied into the guide verbatim; change both together. It checks itself with {@code assert}
 * (Failsafe runs with assertions enabled).
 */
class UserGuideExampleIntegrationTests {

  /** The cached value type of the example. */
  record Product(long id, String name, long priceCents) {}

  @Test
  void theUserGuideExampleRuns() throws Exception {
    // user-guide:begin
    String redisUri = Services.redis().url(); // in a service: e.g. "redis://localhost:6379"
    String tenant = "guide-" + UUID.randomUUID().toString().substring(0, 8); // e.g. "shop"

    // A stand-in for the products table: id -> (row, version column). In a service this is a
    // repository that runs SELECT ... , version FROM products WHERE id = ?.
    Map<Long, Versioned<Product>> table = new ConcurrentHashMap<>();
    table.put(42L, Versioned.of(new Product(42, "Hammer", 1999), 1));
    table.put(43L, Versioned.of(new Product(43, "Saw", 2499), 1));
    VersionedLoader<Long, Product> repository = id -> table.get(id); // null: no such row

    NamespaceOptions options = NamespaceOptions.builder()
        .l1MaximumSize(50_000)
        .negativeTtl(Duration.ofSeconds(30)) // remember "no such product" for 30 s
        .build();
    MeterRegistry meters = new SimpleMeterRegistry();

    // Two instances of the same service (normally two JVMs): each has one runtime.
    try (CoherentRuntime a = CoherentRuntime.builder()
            .redisUri(redisUri).tenant(tenant).instanceId("catalog-a").meterRegistry(meters)
            .build();
        CoherentRuntime b = CoherentRuntime.builder()
            .redisUri(redisUri).tenant(tenant).instanceId("catalog-b")
            .build()) {
      NearCache<Long, Product> productsA = a.namespace("catalog:product",
          Codecs.json(Product.class), options, String::valueOf, repository);
      NearCache<Long, Product> productsB = b.namespace("catalog:product",
          Codecs.json(Product.class), options, String::valueOf, repository);

      // Reads: L1, then Redis (L2), then the repository.
      Product hammer = productsA.get(42L); // loaded from the repository, written to Redis
      Product same = productsB.get(42L); // B's L1 misses; Redis has it
      assert hammer.equals(same) && hammer.priceCents() == 1999;
      assert productsA.get(7L) == null; // no such row (and cached as "not found" for 30 s)
      Versioned<Product> withVersion = productsA.getVersioned(42L);
      assert withVersion.version() == 1;

      // A write on instance A: commit to the database first, then tell the cache the version.
      Product cheaper = new Product(42, "Hammer", 1499);
      table.put(42L, Versioned.of(cheaper, 2)); // UPDATE products ... (version 1 -> 2); COMMIT
      productsA.put(42L, cheaper, 2);
      assert productsA.get(42L).priceCents() == 1499; // A sees its own write at once

      // B drops its copy when A's hint arrives (Pub/Sub is asynchronous: a few milliseconds).
      for (int i = 0; i < 500 && productsB.get(42L).priceCents() != 1499; i++) {
        Thread.sleep(10);
      }
      assert productsB.get(42L).priceCents() == 1499;

      // A delete: commit, then invalidate with the version the delete gave the row (old + 1).
      table.remove(43L); // DELETE FROM products WHERE id = 43; COMMIT
      productsA.invalidate(43L, 2);
      assert productsA.get(43L) == null;

      // Many keys at once: L1, one Redis round trip, one loadAll for the rest.
      Map<Long, Product> found = productsB.getAll(List.of(42L, 7L));
      assert found.keySet().equals(Set.of(42L));

      // Asynchronous read: completes on a loader thread (or at once on an L1 hit).
      CompletableFuture<Product> later = productsB.getAsync(42L);
      assert later.get().priceCents() == 1499;

      // Everything in the namespace, on every instance, in one message.
      productsA.invalidateAll();
      assert productsA.get(42L).priceCents() == 1499; // reloaded

      double l1Hits = meters.get("coherent.gets")
          .tags("namespace", "catalog:product", "tier", "l1", "result", "hit")
          .functionCounter().count();
      assert l1Hits >= 1;
    }
    // user-guide:end
  }
}
