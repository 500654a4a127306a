package dev.coherent.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Test helpers: HTTP requests with their status, headers and parsed JSON body; free ports. */
final class HttpProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HttpProbe() {}

  /** An answer: status, headers, the body as text and (when it is JSON) parsed. */
  static final class Answer {
    final int status;
    final JsonNode json;
    final String text;
    final HttpHeaders headers;
    final Duration took;

    Answer(int status, JsonNode json, String text, HttpHeaders headers, Duration took) {
      this.status = status;
      this.json = json;
      this.text = text;
      this.headers = headers;
      this.took = took;
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  static Answer get(URI uri) throws IOException, InterruptedException {
    return send("GET", uri, null, Map.of());
  }

  /** Any request; {@code body} null sends none. */
  static Answer send(String method, URI uri, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    long start = System.nanoTime();
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    JsonNode json;
    try {
      json = response.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(response.body());
    } catch (IOException e) {
      json = MissingNode.getInstance(); // not JSON (the live page, /metrics)
    }
    return new Answer(response.statusCode(), json, response.body(), response.headers(), took);
  }

  /** Whether {@code uri} answers 200 with status UP right now. */
  static boolean isUp(URI uri) {
    try {
      Answer answer = get(uri);
      return answer.status == 200 && "UP".equals(answer.json.path("status").asText());
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A port that was free a moment ago, different from every port in {@code avoid}. */
  static int freePort(int... avoid) {
    while (true) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(0));
        int port = socket.getLocalPort();
        if (java.util.Arrays.stream(avoid).noneMatch(p -> p == port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free port", e);
      }
    }
  }
}
