package dev.coherent.demo;

import static dev.coherent.demo.SharedDemo.a;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets a 4xx with a JSON body naming what was wrong, never a 500; an
 * unexpected failure gets a 500 whose correlation id is also in the log.
 */
class CatalogErrorsIntegrationTests {
  private static final String VALID = "{\"sku\":\"SKU-E-1\",\"name\":\"n\",\"description\":\"d\","
      + "\"priceCents\":1,\"currency\":\"EUR\",\"categoryId\":1,\"stock\":1}";

  @BeforeAll
  static void start() {
    SharedDemo.get();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // method, path, body, If-Match, status, the fields the answer must name
        Arguments.of("PATCH", "/products/1/price", "{bad", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "[]", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "42", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "null", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1}{}", null, 400, List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1,\"priceCents\":2}", null, 400,
            List.of("body")),
        Arguments.of("PATCH", "/products/1/price", "{}", null, 400, List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":\"abc\"}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":\"1299\"}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":12.5}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":12.0}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1e400}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":-1}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":99999999999999999999999}", null,
            400, List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":9223372036854775807}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":true}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":null}", null, 400,
            List.of("priceCents")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1,\"colour\":\"red\"}", null, 400,
            List.of("colour")),
        Arguments.of("PATCH", "/products/abc/price", "{\"priceCents\":1}", null, 400, List.of("id")),
        Arguments.of("PATCH", "/products/0/price", "{\"priceCents\":1}", null, 400, List.of("id")),
        Arguments.of("PATCH", "/products/-3/price", "{\"priceCents\":1}", null, 400, List.of("id")),
        Arguments.of("GET", "/products/99999999999999999999", null, null, 400, List.of("id")),
        Arguments.of("GET", "/products/1.5", null, null, 400, List.of("id")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1}", "yesterday", 400,
            List.of("If-Match")),
        Arguments.of("PATCH", "/products/1/price", "{\"priceCents\":1}", "\"1\"x", 400,
            List.of("If-Match")),
        Arguments.of("POST", "/products", "{}", null, 400,
            List.of("sku", "name", "description", "priceCents", "currency", "categoryId", "stock")),
        Arguments.of("POST", "/products", "{\"sku\":\"bad sku\",\"name\":\"\",\"description\":7,"
            + "\"priceCents\":-2,\"currency\":\"XYZ\",\"categoryId\":0,\"stock\":2000000000,"
            + "\"id\":5}", null, 400,
            List.of("id", "sku", "name", "description", "priceCents", "currency", "categoryId",
                "stock")),
        Arguments.of("POST", "/products", "{\"sku\":\"SKU-E-1\",\"name\":\"n\",\"description\":\"d\","
            + "\"priceCents\":1,\"currency\":\"eur\",\"categoryId\":1,\"stock\":1}", null, 400,
            List.of("currency")),
        Arguments.of("POST", "/products", VALID.replace("\"categoryId\":1", "\"categoryId\":999"),
            null, 400, List.of("categoryId")),
        Arguments.of("POST", "/products", VALID.replace("\"name\":\"n\"",
            "\"name\":\"" + "x".repeat(201) + "\""), null, 400, List.of("name")),
        Arguments.of("PUT", "/products/1", "{\"priceCents\":1}", null, 400,
            List.of("sku", "name", "description", "currency", "categoryId", "stock")),
        Arguments.of("PUT", "/products/x", VALID, null, 400, List.of("id")),
        Arguments.of("DELETE", "/products/x", null, null, 400, List.of("id")),
        Arguments.of("GET", "/categories/x/products", null, null, 400, List.of("id")),
        Arguments.of("GET", "/categories/1/products?page=0&size=101", null, null, 400,
            List.of("page", "size")),
        Arguments.of("GET", "/categories/1/products?page=abc", null, null, 400, List.of("page")),
        Arguments.of("GET", "/products/424242", null, null, 404, List.of()),
        Arguments.of("PATCH", "/products/424242/price", "{\"priceCents\":1}", null, 404, List.of()),
        Arguments.of("PUT", "/products/424242", VALID, null, 404, List.of()),
        Arguments.of("DELETE", "/products/424242", null, null, 404, List.of()),
        Arguments.of("GET", "/categories/99/products", null, null, 404, List.of()),
        Arguments.of("PATCH", "/products/2/price", "{\"priceCents\":1}", "\"999\"", 412, List.of()),
        Arguments.of("GET", "/no/such/route", null, null, 404, List.of()));
  }

  @ParameterizedTest(name = "{0} {1} {2} (If-Match {3}) -> {4} naming {5}")
  @MethodSource("badRequests")
  void badInputIsAnsweredWithItsStatusNamingEachBadField(String method, String path, String body,
      String ifMatch, int status, List<String> fields) throws Exception {
    HttpProbe.Answer answer = HttpProbe.send(method, a(path), body,
        ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
    assertThat(answer.status).as(answer.text).isEqualTo(status);
    assertThat(answer.json.path("status").asInt()).as(answer.text).isEqualTo(status);
    assertThat(answer.json.path("error").asText()).as(answer.text).isNotBlank();
    List<String> named = new ArrayList<>();
    for (JsonNode f : answer.json.path("fields")) {
      named.add(f.path("field").asText());
      assertThat(f.path("message").asText()).as("the message for %s", f).isNotBlank();
    }
    assertThat(named).as(answer.text).containsExactlyInAnyOrderElementsOf(fields);
  }

  @Test
  void aMessageSaysWhatWasWrongAndWhatIsValid() throws Exception {
    HttpProbe.Answer answer = HttpProbe.send("PATCH", a("/products/1/price"),
        "{\"priceCents\":\"abc\"}", Map.of());
    assertThat(answer.json.path("fields").get(0).path("message").asText())
        .isEqualTo("must be a whole number from 0 to 100000000000 but was the string \"abc\"");
  }

  @Test
  void anUnexpectedErrorIsA500WithACorrelationIdThatIsAlsoLogged() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    HttpProbe.Answer answer;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      answer = SharedDemo.call("GET", a("/test/boom"), null);
    } finally {
      System.setErr(original);
    }
    assertThat(answer.status).isEqualTo(500);
    String id = answer.json.path("correlationId").asText();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(answer.header("Correlation-Id")).isEqualTo(id);
    assertThat(answer.text).doesNotContain("boom", "Exception");
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("GET /test/boom failed unexpectedly, correlation id " + id)
        .contains("IllegalStateException: boom: a bug in a handler");
  }
}
