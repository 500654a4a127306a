package dev.coherent.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test helpers: GET a health URL and parse it; pick free ports. */
final class HttpProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HttpProbe() {}

  /** A GET answered: status and parsed JSON body. */
  static final class Answer {
    final int status;
    final JsonNode json;
    final Duration took;

    Answer(int status, JsonNode json, Duration took) {
      this.status = status;
      this.json = json;
      this.took = took;
    }
  }

  static Answer get(URI uri) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Answer(response.statusCode(), JSON.readTree(response.body()), took);
  }

  static Answer put(URI uri, String jsonBody) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(jsonBody)).build(),
            HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Answer(response.statusCode(), JSON.readTree(response.body()), took);
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
