package dev.coherent.core;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The built-in codecs. All are thread-safe. */
public final class Codecs {
  /**
   * The mapper used when none is given: unknown properties are ignored, so that adding a field to
   * a record does not turn every entry written by an older instance into a decode error.
   */
  private static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Codecs() {}

  /** UTF-8 strings. */
  public static Codec<String> string() {
    return StringCodec.INSTANCE;
  }

  /** Raw bytes, stored as they are. */
  public static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /** JSON via Jackson for a record or POJO type. */
  public static <V> Codec<V> json(Class<V> type) {
    return json(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  /** JSON via Jackson for a generic type such as {@code List<Product>}. */
  public static <V> Codec<V> json(TypeReference<V> type) {
    return json(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  /** JSON via the given mapper (for custom modules); the mapper must not change after this call. */
  public static <V> Codec<V> json(ObjectMapper mapper, Class<V> type) {
    return json(mapper, mapper.constructType(type));
  }

  private static <V> Codec<V> json(ObjectMapper mapper, JavaType type) {
    return new JsonCodec<>(Objects.requireNonNull(mapper, "mapper"), type);
  }

  private enum StringCodec implements Codec<String> {
    INSTANCE;

    @Override
    public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private enum BytesCodec implements Codec<byte[]> {
    INSTANCE;

    @Override
    public byte[] encode(byte[] value) {
      return value;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }
  }

  private record JsonCodec<V>(ObjectMapper mapper, JavaType type) implements Codec<V> {
    @Override
    public byte[] encode(V value) {
      try {
        return mapper.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot encode " + value.getClass().getName() + " as JSON", e);
      }
    }

    @Override
    public V decode(byte[] bytes) {
      try {
        return mapper.readValue(bytes, type);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot decode JSON as " + type, e);
      }
    }
  }
}
