package dev.coherent.hibernate.internal;

import dev.coherent.core.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Hibernate's cache entries (disassembled entity state, collection entries, natural-id ids) in
 * Java serialization form, read back only through an {@link ObjectInputFilter} allow-list:
 * Hibernate's cache entry types, JDK value types, the packages of the region's entities and the
 * configured patterns. A value that names any other class is refused before it is instantiated;
 * the core counts it as {@code coherent.codec.errors} and treats it as a miss. Thread-safe
 * (immutable but for the filter, built once from immutable inputs and published through a
 * volatile field).
 */
final class EntryCodec implements Codec<Object> {
  /** What Hibernate itself puts in entries, and the JDK value types entity state is made of. */
  private static final List<String> ALWAYS = List.of(
      "org.hibernate.cache.spi.entry.*", "org.hibernate.cache.internal.*",
      "org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer$1",
      "org.hibernate.property.access.internal.PropertyAccessStrategyBackRefImpl$1",
      "java.lang.*", "java.util.*", "java.math.*", "java.time.*", "java.sql.*", "java.net.URI",
      "java.net.URL", "java.io.Serializable");
  private static final long MAX_DEPTH = 50;
  private static final long MAX_BYTES = 64L * 1024 * 1024;

  private final Supplier<? extends Collection<String>> packages;
  private final List<String> patterns;
  private final boolean queryResults;
  private volatile @Nullable ObjectInputFilter filter;

  /**
   * What a query-results region reads instead of a result that holds Hibernate's own column
   * types (a native query's result carries its result set's metadata): those types are not on
   * the allow-list (deserializing Hibernate's type graphs is not worth the exposure), and another
   * session factory would not take them anyway (Hibernate finds them incompatible with its own and
   * runs the query). So such a result serves the instance that cached it, from L1; elsewhere it
   * reads as this marker, a miss, quietly.
   */
  static final Object NOT_SHARED = new Object() {
    @Override
    public String toString() {
      return "a query result that only its own instance can use";
    }
  };

  /** {@code packages}: the entities' packages ({@code com.example}); {@code patterns}: extra. */
  EntryCodec(Collection<String> packages, Collection<String> patterns) {
    this(() -> packages, patterns, false);
  }

  /**
   * With packages known only once the session factory's regions are built (a query-results
   * region is built before them): the filter is made at the first read, after the boot.
   */
  EntryCodec(Supplier<? extends Collection<String>> packages, Collection<String> patterns,
      boolean queryResults) {
    this.packages = packages;
    this.patterns = List.copyOf(patterns);
    this.queryResults = queryResults;
  }

  private ObjectInputFilter filter() {
    ObjectInputFilter f = filter;
    if (f == null) {
      List<String> allowed = new ArrayList<>(ALWAYS);
      packages.get().forEach(p -> allowed.add(p + ".*"));
      allowed.addAll(patterns);
      // Arrays are checked by their component class; anything not listed is rejected.
      f = ObjectInputFilter.Config.createFilter("maxdepth=" + MAX_DEPTH + ";maxbytes="
          + MAX_BYTES + ";" + String.join(";", allowed) + ";!*");
      filter = f; // racing threads build equal filters
    }
    return f;
  }

  @Override
  public byte[] encode(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize a cache entry of type "
          + value.getClass().getName() + " (entity state must be Serializable)", e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object decode(byte[] bytes) {
    ObjectInputFilter allowed = filter();
    String[] rejected = new String[1];
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(info -> { // the same decision, remembering the class it refused
        ObjectInputFilter.Status status = allowed.checkInput(info);
        if (status == ObjectInputFilter.Status.REJECTED && info.serialClass() != null) {
          rejected[0] = info.serialClass().getName();
        }
        return status;
      });
      return in.readObject();
    } catch (InvalidClassException e) {
      if (queryResults && rejected[0] != null && rejected[0].startsWith("org.hibernate.")) {
        return NOT_SHARED;
      }
      throw new IllegalStateException("a cache entry names a class outside the serialization"
          + " allow-list (" + (rejected[0] != null ? rejected[0] : e.getMessage())
          + "); add it to hibernate.cache.coherent.serialization_allow if it is yours", e);
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot read a cache entry: " + e, e);
    }
  }
}
