package dev.coherent.demo;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An answer other than success that a handler throws: the instance turns it into its status and
 * a JSON body {@code {"status":400,"error":"...","fields":[{"field":"...","message":"..."}]}}
 * (fields only when there are some, plus any {@code details}). Unexpected exceptions are not
 * {@code ApiException}s: they become a 500 with a correlation id (see the instance's error
 * handling).
 *
 * <p>Immutable.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final List<FieldError> fields;
  private final Map<String, Object> details;

  public ApiException(int status, String message, List<FieldError> fields,
      Map<String, Object> details) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400..599 but was " + status);
    }
    this.status = status;
    this.fields = List.copyOf(fields);
    this.details = Map.copyOf(details);
  }

  /** 400 naming every bad field. */
  public static ApiException badRequest(List<FieldError> fields) {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a bad request names at least one field");
    }
    return new ApiException(400, fields.size() == 1 ? "invalid request: " + fields.get(0).field()
        : "invalid request: " + fields.size() + " fields", fields, Map.of());
  }

  /** 400 for one field. */
  public static ApiException badRequest(String field, String message) {
    return badRequest(List.of(new FieldError(field, message)));
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message, List.of(), Map.of());
  }

  public static ApiException conflict(String message, List<FieldError> fields) {
    return new ApiException(409, message, fields, Map.of());
  }

  /** 412: the {@code If-Match} version is not the current one, which {@code details} carries. */
  public static ApiException preconditionFailed(String message, long currentVersion) {
    return new ApiException(412, message, List.of(), Map.of("currentVersion", currentVersion));
  }

  public int status() {
    return status;
  }

  public List<FieldError> fields() {
    return fields;
  }

  /** Extra members of the JSON body, e.g. {@code currentVersion}. */
  public Map<String, Object> details() {
    return details;
  }
}
