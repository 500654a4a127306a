package dev.coherent.demo;

import dev.coherent.demo.catalog.CatalogModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One demo for the HTTP-level test classes of this JVM (starting one costs seconds): both
 * instances on free ports, reconciling every {@link #INTERVAL}, each also hosting a module whose
 * {@code GET /test/boom} throws an unexpected exception. Closed when the JVM exits.
 */
final class SharedDemo {
  static final Duration INTERVAL = Duration.ofMillis(500);
  static final String TOKEN = "test-admin-token-0123456789";

  private static RunningDemo demo;

  private SharedDemo() {}

  static synchronized RunningDemo get() {
    if (demo == null) {
      int portA = HttpProbe.freePort();
      int portB = HttpProbe.freePort(portA);
      DemoOptions options = DemoOptions.builder().portA(portA).portB(portB).runId("shared")
          .reconcileInterval(INTERVAL).adminToken(TOKEN).build();
      demo = DemoApp.start(options, new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8), List.of(CatalogModule::new, context -> routes ->
              routes.get("/test/boom", ctx -> {
                throw new IllegalStateException("boom: a bug in a handler");
              })));
      RunningDemo started = demo;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-demo-stop"));
    }
    return demo;
  }

  static URI a(String path) {
    return URI.create("http://localhost:" + get().instanceA().port() + path);
  }

  static URI b(String path) {
    return URI.create("http://localhost:" + get().instanceB().port() + path);
  }

  static CatalogModule catalog(CatalogInstance instance) {
    return (CatalogModule) instance.modules().get(0);
  }

  static HttpProbe.Answer call(String method, URI uri, String body)
      throws IOException, InterruptedException {
    return HttpProbe.send(method, uri, body, Map.of());
  }

  static HttpProbe.Answer admin(String method, URI uri, String body)
      throws IOException, InterruptedException {
    return HttpProbe.send(method, uri, body, Map.of("Authorization", "Bearer " + TOKEN));
  }
}
