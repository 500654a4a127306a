package dev.coherent.demo.catalog.internal;

import dev.coherent.demo.ApiException;
import dev.coherent.demo.FieldError;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Path, query and header values of catalog requests, checked; each error names its part. */
final class RequestParts {
  private static final Pattern WHOLE = Pattern.compile("\\d{1,19}");
  /** {@code 3}, {@code "3"} or {@code W/"3"} (the ETag the service sends is {@code "3"}). */
  private static final Pattern ENTITY_TAG = Pattern.compile("(?:W/)?\"?(\\d{1,19})\"?");

  private RequestParts() {}

  /** A positive id in the path parameter {@code name}. */
  static long id(Context ctx, String name, String what) {
    String raw = ctx.pathParam(name);
    Long id = parse(raw);
    if (id == null || id < 1) {
      throw ApiException.badRequest(name, what + " id must be a whole number from 1 to "
          + Long.MAX_VALUE + " but was '" + shorten(raw) + "'");
    }
    return id;
  }

  /** The version of an {@code If-Match} header, or null without one. */
  static @Nullable Long ifMatch(Context ctx) {
    String raw = ctx.header("If-Match");
    if (raw == null) {
      return null;
    }
    Matcher m = ENTITY_TAG.matcher(raw.trim());
    Long version = m.matches() ? parse(m.group(1)) : null;
    if (version == null) {
      throw ApiException.badRequest("If-Match", "must be the product's version as GET returns it"
          + " in ETag, e.g. \"3\", but was '" + shorten(raw) + "'");
    }
    return version;
  }

  /**
   * A query parameter from {@code min} to {@code max}, {@code dflt} when absent; a bad one is
   * added to {@code errors} (and {@code dflt} returned) so that one answer names all of them.
   */
  static int query(Context ctx, String name, int dflt, int min, int max,
      List<FieldError> errors) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return dflt;
    }
    Long value = parse(raw.trim());
    if (value == null || value < min || value > max) {
      errors.add(new FieldError(name, "must be a whole number from " + min + " to " + max
          + " but was '" + shorten(raw) + "'"));
      return dflt;
    }
    return value.intValue();
  }

  private static @Nullable Long parse(String raw) {
    if (!WHOLE.matcher(raw).matches()) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return null; // 19 digits above Long.MAX_VALUE
    }
  }

  private static String shorten(String raw) {
    return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
  }
}
