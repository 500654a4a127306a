package dev.coherent.demo;

import static dev.coherent.demo.SharedDemo.a;
import static dev.coherent.demo.SharedDemo.admin;
import static dev.coherent.demo.SharedDemo.b;
import static dev.coherent.demo.SharedDemo.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /admin/*}: the token, the cache view, flushes, subscriber chaos, plain-SQL helpers. */
class AdminIntegrationTests {
  private static final Duration BOUND = SharedDemo.INTERVAL.plusSeconds(4);

  @BeforeAll
  static void start() {
    SharedDemo.get();
  }

  @AfterEach
  void healB() throws Exception {
    assertThat(admin("POST", b("/admin/chaos/subscriber"), "{\"mode\":\"off\"}").status)
        .isEqualTo(200);
    await().atMost(BOUND).until(() -> cache(b("/admin/cache")).path("subscriber")
        .path("connected").asBoolean());
  }

  private static JsonNode cache(java.net.URI uri) throws Exception {
    return admin("GET", uri, null).json;
  }

  private static JsonNode namespace(JsonNode cache, String name) {
    for (JsonNode ns : cache.path("namespaces")) {
      if (ns.path("name").asText().equals(name)) {
        return ns;
      }
    }
    throw new AssertionError("no namespace " + name + " in " + cache);
  }

  @Test
  void adminEndpointsNeedTheToken() throws Exception {
    HttpProbe.Answer none = call("GET", a("/admin/cache"), null);
    assertThat(none.status).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(none.json.path("error").asText()).contains("Authorization: Bearer");
    HttpProbe.Answer wrong = HttpProbe.send("POST", a("/admin/cache/hb:catalog.product/flush"),
        null, Map.of("Authorization", "Bearer not-the-token"));
    assertThat(wrong.status).isEqualTo(401);
  }

  @Test
  void theCacheViewShowsEveryNamespaceAndTheSubscriberAndReconciler() throws Exception {
    call("GET", a("/products/5"), null);
    JsonNode view = cache(a("/admin/cache"));
    assertThat(view.path("instance").asText()).isEqualTo(SharedDemo.get().instanceA().id());
    assertThat(view.path("reconcileIntervalMs").asLong()).isEqualTo(SharedDemo.INTERVAL.toMillis());
    assertThat(view.path("subscriber").path("state").asText()).isEqualTo("up");
    assertThat(view.path("reconciler").path("pollsOk").asLong()).isPositive();
    assertThat(view.path("namespaces").findValuesAsText("name"))
        .containsExactly("catalog:listing", "hb:catalog.category", "hb:catalog.product");
    JsonNode products = namespace(view, "hb:catalog.product");
    assertThat(products.path("l1Size").asLong()).isPositive();
    assertThat(products.path("degraded").asBoolean()).isFalse();
    assertThat(products.has("epoch") && products.has("lastSequence")).isTrue();
  }

  @Test
  void aFlushBumpsTheEpochOnEveryInstance() throws Exception {
    call("GET", b("/products/5"), null);
    assertThat(call("GET", b("/products/5"), null).header("Served-From")).isEqualTo("l1");
    long before = namespace(cache(b("/admin/cache")), "hb:catalog.product").path("epoch").asLong();
    HttpProbe.Answer flush = admin("POST", a("/admin/cache/hb:catalog.product/flush"), null);
    assertThat(flush.status).isEqualTo(200);
    long after = flush.json.path("epoch").asLong();
    assertThat(after).isGreaterThan(before);
    await().atMost(BOUND).until(() ->
        namespace(cache(b("/admin/cache")), "hb:catalog.product").path("epoch").asLong() == after);
    assertThat(call("GET", b("/products/5"), null).header("Served-From")).isNotEqualTo("l1");
    HttpProbe.Answer unknown = admin("POST", a("/admin/cache/no:such/flush"), null);
    assertThat(unknown.status).isEqualTo(404);
    assertThat(unknown.json.path("error").asText()).contains("hb:catalog.product");
  }

  @ParameterizedTest(name = "{0} -> 400 naming {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"mode\":\"sleepy\",\"for\":\"10s\"}|mode",
      "{\"mode\":\"deaf\"}|for",
      "{\"mode\":\"deaf\",\"for\":\"ten seconds\"}|for",
      "{\"mode\":\"deaf\",\"for\":\"0s\"}|for",
      "{\"mode\":\"down\",\"for\":\"11m\"}|for",
      "{\"mode\":\"down\",\"for\":30}|for",
      "{\"mode\":\"down\",\"for\":\"30s\",\"who\":\"b\"}|who",
      "[]|body"})
  void badChaosRequestsNameTheField(String body, String field) throws Exception {
    HttpProbe.Answer answer = admin("POST", b("/admin/chaos/subscriber"), body);
    assertThat(answer.status).as(answer.text).isEqualTo(400);
    List<String> named = new ArrayList<>();
    answer.json.path("fields").forEach(f -> named.add(f.path("field").asText()));
    assertThat(named).as(answer.text).containsExactly(field);
  }

  @Test
  void aDeafSubscriberStaysConnectedAndOnlyTheReconcilerKeepsBFresh() throws Exception {
    long version = call("GET", b("/products/11"), null).json.path("version").asLong();
    assertThat(admin("POST", b("/admin/chaos/subscriber"), "{\"mode\":\"deaf\",\"for\":\"30s\"}")
        .status).isEqualTo(200);
    JsonNode deaf = cache(b("/admin/cache")).path("subscriber");
    assertThat(deaf.path("state").asText()).isEqualTo("deaf");
    assertThat(deaf.path("connected").asBoolean()).isTrue();
    long applied = namespace(cache(b("/admin/cache")), "hb:catalog.product").path("hintsApplied")
        .asLong();
    assertThat(call("PATCH", a("/products/11/price"), "{\"priceCents\":1111}").status)
        .isEqualTo(200);
    await().atMost(BOUND).until(() ->
        call("GET", b("/products/11"), null).json.path("version").asLong() == version + 1);
    assertThat(namespace(cache(b("/admin/cache")), "hb:catalog.product").path("hintsApplied")
        .asLong()).as("no hint was applied while deaf").isEqualTo(applied);
  }

  @Test
  void aSubscriberHeldDownIsDisconnectedUntilTheChaosEnds() throws Exception {
    assertThat(admin("POST", b("/admin/chaos/subscriber"), "{\"mode\":\"down\",\"for\":\"30s\"}")
        .status).isEqualTo(200);
    await().atMost(BOUND).until(() -> {
      JsonNode s = cache(b("/admin/cache")).path("subscriber");
      return s.path("state").asText().equals("down") && !s.path("connected").asBoolean();
    });
    // A plain-SQL write reaches b anyway (the change log), while b cannot hear hints.
    HttpProbe.Answer sql = admin("POST", a("/admin/sql/products/12/price"), "{\"priceCents\":1212}");
    assertThat(sql.status).isEqualTo(200);
    long version = sql.json.path("version").asLong();
    await().atMost(BOUND).until(() ->
        call("GET", b("/products/12"), null).json.path("version").asLong() == version);
    HttpProbe.Answer truth = admin("GET", a("/admin/db/products?ids=12,424242"), null);
    assertThat(truth.json.get(0).path("priceCents").asLong()).isEqualTo(1212);
    assertThat(truth.json.get(1).path("exists").asBoolean()).isFalse();
    // healB() turns the chaos off and waits for the reconnection.
  }

  @Test
  void thePlainSqlHelpersValidateTheirInput() throws Exception {
    assertThat(admin("POST", a("/admin/sql/products/424242/price"), "{\"priceCents\":1}").status)
        .isEqualTo(404);
    HttpProbe.Answer badIds = admin("GET", a("/admin/db/products?ids=1,x"), null);
    assertThat(badIds.status).isEqualTo(400);
    assertThat(badIds.json.path("fields").get(0).path("field").asText()).isEqualTo("ids");
    assertThat(admin("GET", a("/admin/db/products"), null).status).isEqualTo(400);
  }
}
