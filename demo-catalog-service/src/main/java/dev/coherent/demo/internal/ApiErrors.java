package dev.coherent.demo.internal;

import dev.coherent.demo.ApiException;
import dev.coherent.demo.FieldError;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what handlers throw into JSON answers: an {@link ApiException} into its status and body;
 * Javalin's own {@link HttpResponseException}s (an unknown route, say) into the same shape; and
 * anything else into a 500 whose body carries a correlation id that is also in the log line with
 * the stack trace, so a user's report can be matched with the log. Never a stack trace in a body.
 *
 * <p>Stateless and thread-safe: handlers run on Jetty's request threads.
 */
public final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private final String instanceId;

  public ApiErrors(String instanceId) {
    this.instanceId = instanceId;
  }

  /** Registers the handlers on an instance's routes. */
  public void register(RoutesConfig routes) {
    routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e));
    routes.exception(HttpResponseException.class, (e, ctx) -> {
      Map<String, Object> body = body(e.getStatus(), e.getMessage(), List.of());
      ctx.status(e.getStatus()).json(body);
    });
    routes.exception(Exception.class, (e, ctx) -> unexpected(ctx, e));
  }

  /** Writes {@code e} as the response. */
  public static void answer(Context ctx, ApiException e) {
    Map<String, Object> body = body(e.status(), e.getMessage(), e.fields());
    body.putAll(e.details());
    ctx.status(e.status()).json(body);
  }

  private void unexpected(Context ctx, Exception e) {
    String correlationId = UUID.randomUUID().toString();
    log.error("{}: {} {} failed unexpectedly, correlation id {}", instanceId, ctx.method(),
        ctx.path(), correlationId, e);
    Map<String, Object> body = body(500, "internal error; quote the correlation id when reporting"
        + " it (the instance's log has the details)", List.of());
    body.put("correlationId", correlationId);
    ctx.status(500).header("Correlation-Id", correlationId).json(body);
  }

  private static Map<String, Object> body(int status, String error, List<FieldError> fields) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("error", error);
    if (!fields.isEmpty()) {
      body.put("fields", fields);
    }
    return body;
  }
}
