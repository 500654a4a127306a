package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code demoMode(false)} the chaos and plain-SQL admin endpoints answer 403; the rest works. */
class NotDemoModeIntegrationTests {
  private static final String TOKEN = "not-demo-mode-token-0123";
  private static RunningDemo demo;

  @BeforeAll
  static void start() {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    demo = DemoApp.start(DemoOptions.builder().portA(portA).portB(portB).runId("nodemo")
            .adminToken(TOKEN).demoMode(false).build(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        DemoApp.DEFAULT_MODULES);
  }

  @AfterAll
  static void stop() {
    if (demo != null) {
      demo.close();
    }
  }

  private static HttpProbe.Answer admin(String method, String path, String body) throws Exception {
    return HttpProbe.send(method, URI.create(demo.instanceA().baseUri() + path), body,
        Map.of("Authorization", "Bearer " + TOKEN));
  }

  @Test
  void theDemoOnlyEndpointsAreForbidden() throws Exception {
    for (HttpProbe.Answer answer : new HttpProbe.Answer[] {
        admin("POST", "/admin/chaos/subscriber", "{\"mode\":\"deaf\",\"for\":\"30s\"}"),
        admin("POST", "/admin/sql/products/1/price", "{\"priceCents\":1}"),
        admin("GET", "/admin/db/products?ids=1", null)}) {
      assertThat(answer.status).as(answer.text).isEqualTo(403);
      assertThat(answer.json.path("error").asText()).isEqualTo("this endpoint works in demo mode only");
    }
    assertThat(admin("GET", "/admin/cache", null).status).isEqualTo(200);
    assertThat(admin("GET", "/admin/cache", null).json.path("subscriber").path("chaos").asText())
        .isEqualTo("off");
  }
}
