package dev.coherent.demo.catalog.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coherent.demo.ApiException;
import dev.coherent.demo.FieldError;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a JSON request body field by field and collects every problem as a {@link FieldError}, so
 * one 400 names all bad fields at once: {@link #parse} rejects a body that is empty, not JSON,
 * has duplicate keys or trailing content, or is not an object; {@link #rejectUnknown} names fields
 * that are not part of the request; the typed readers check type and range. {@link #check()}
 * throws the collected errors.
 *
 * <p>Not thread-safe: one instance per request.
 */
final class JsonInput {
  /** Strict: duplicate keys and trailing tokens are errors; big and decimal numbers stay exact. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private final ObjectNode body;
  private final List<FieldError> errors = new ArrayList<>();

  private JsonInput(ObjectNode body) {
    this.body = body;
  }

  /**
   * @param example a valid body, for the message of a body that is not a JSON object
   * @throws ApiException 400 naming {@code body} when it is not a JSON object
   */
  static JsonInput parse(byte[] bytes, String example) {
    if (bytes.length == 0) {
      throw ApiException.badRequest("body", "required: a JSON object like " + example);
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body", "is not valid JSON (" + e.getOriginalMessage()
          + "); send a JSON object like " + example);
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("body", "could not be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("body", "must be a JSON object like " + example + " but was "
          + (node == null ? "empty" : "a JSON " + node.getNodeType().name().toLowerCase(
              java.util.Locale.ROOT)));
    }
    return new JsonInput((ObjectNode) node);
  }

  /** Names every field of the body that is not in {@code valid}. */
  JsonInput rejectUnknown(Set<String> valid) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!valid.contains(name)) {
        errors.add(new FieldError(name, "is not a field of this request; valid fields: "
            + String.join(", ", new java.util.TreeSet<>(valid))));
      }
    }
    return this;
  }

  /** A whole number in {@code [min, max]}, or null (with an error) when missing or invalid. */
  @Nullable Long integer(String field, long min, long max) {
    JsonNode node = body.get(field);
    String valid = "a whole number from " + min + " to " + max;
    if (node == null || node.isNull()) {
      errors.add(new FieldError(field, "is required: " + valid));
      return null;
    }
    if (!node.isIntegralNumber()) {
      if (node.isNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0) {
        // 12.0 is a whole number written as a decimal: still a type error, said plainly.
        errors.add(new FieldError(field, "must be " + valid + " without a decimal point but was "
            + node.asText()));
      } else {
        errors.add(new FieldError(field, "must be " + valid + " but was " + describe(node)));
      }
      return null;
    }
    BigInteger value = node.bigIntegerValue();
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      errors.add(new FieldError(field, "must be " + valid + " but was " + value));
      return null;
    }
    return value.longValue();
  }

  /**
   * A string of {@code minLength..maxLength} characters matching {@code pattern} (null: any), or
   * null (with an error).
   */
  @Nullable String text(String field, int minLength, int maxLength, @Nullable Pattern pattern,
      String valid) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(field, "is required: " + valid));
      return null;
    }
    if (!node.isTextual()) {
      errors.add(new FieldError(field, "must be a string, " + valid + ", but was " + describe(node)));
      return null;
    }
    String value = node.textValue();
    int length = value.codePointCount(0, value.length());
    if (length < minLength || length > maxLength
        || (pattern != null && !pattern.matcher(value).matches())) {
      errors.add(new FieldError(field, "must be " + valid + " but was " + quote(value)));
      return null;
    }
    return value;
  }

  /** Records an error found by the caller (a value that is well-formed but not acceptable). */
  void error(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  /** @throws ApiException 400 naming every error collected so far */
  void check() {
    if (!errors.isEmpty()) {
      throw ApiException.badRequest(errors);
    }
  }

  private static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "the string " + quote(node.textValue());
    }
    if (node.isNumber()) {
      return node.asText();
    }
    return "a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String quote(String value) {
    String shown = value.length() > 60 ? value.substring(0, 60) + "..." : value;
    return "\"" + shown + "\"";
  }
}
