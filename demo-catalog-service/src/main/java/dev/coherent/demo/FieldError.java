package dev.coherent.demo;

import java.util.Objects;

/**
 * One bad part of a request: {@code field} names it (a body field such as {@code priceCents}, a
 * path parameter such as {@code id}, a query parameter, or a header such as {@code If-Match}),
 * {@code message} says what was wrong and what is valid.
 */
public record FieldError(String field, String message) {
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
