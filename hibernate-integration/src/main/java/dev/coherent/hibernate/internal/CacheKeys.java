package dev.coherent.hibernate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;
import org.hibernate.cache.internal.BasicCacheKeyImplementation;
import org.hibernate.cache.internal.CacheKeyImplementation;
import org.hibernate.cache.internal.NaturalIdCacheKey;
import org.hibernate.cache.spi.QueryKey;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * Hibernate's cache keys as Coherent keys (strings), the same on every instance: never {@code
 * toString()}, which drops the tenant and prints arrays by identity. A key is {@code [<tenant
 * length>:<tenant>][<role>#]<id>}: the tenant part only for a tenant's key (so two tenants never
 * share an entry), the entity or collection role only in a region that holds several, and the id
 * as text for the plain id types, else {@code ~} and the Base64 of its Java serialization
 * (composite ids, whose {@code toString} is not stable). So in the usual region, one entity and
 * no tenant, the key is the id as the change log's {@code cache_key} has it. Stateless.
 */
final class CacheKeys {
  private CacheKeys() {}

  /** A query's key with the tenant of the session that ran it. */
  record QueryCacheKey(@Nullable String tenant, QueryKey query) {
    static QueryCacheKey of(SharedSessionContractImplementor session, QueryKey query) {
      Object tenant = session.getTenantIdentifierValue();
      return new QueryCacheKey(tenant == null ? null : tenant.toString(), query);
    }
  }

  /**
   * The key of a query result: {@code q~} and the Base64 of the SHA-256 of the tenant and the
   * Java serialization of Hibernate's {@link QueryKey} (SQL, parameter values, limits, filters),
   * which may be far longer than a Coherent key. Equal keys serialize alike; unequal keys differ in
   * the serialized state {@code QueryKey.equals} compares, so their digests differ.
   */
  static String query(Object key) {
    return QUERY_DIGESTS.get((QueryCacheKey) key, CacheKeys::digest);
  }

  /**
   * Digests of recent queries: a hit would otherwise serialize and hash the QueryKey every time
   * (a fifth of a hit's CPU, measured); {@code QueryKey.equals} is far cheaper. Bounded, so an
   * application that builds unbounded distinct queries only loses the memo. Thread-safe.
   */
  private static final Cache<QueryCacheKey, String>
      QUERY_DIGESTS = Caffeine.newBuilder()
          .maximumSize(10_000).build();

  private static String digest(QueryCacheKey k) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(tenant(k.tenant()).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '|');
      sha.update(serialize(k.query()));
      return "q~" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The key in a region that holds one entity, collection or natural id. */
  static String bare(Object cacheKey) {
    return encode(cacheKey, false);
  }

  /** The key in a region that holds several. */
  static String withRole(Object cacheKey) {
    return encode(cacheKey, true);
  }

  private static String encode(Object cacheKey, boolean withRole) {
    if (cacheKey instanceof BasicCacheKeyImplementation k) {
      return role(withRole, k.getEntityOrRoleName()) + id(k.getId());
    }
    if (cacheKey instanceof CacheKeyImplementation k) {
      return tenant(k.getTenantId()) + role(withRole, k.getEntityOrRoleName()) + id(k.getId());
    }
    if (cacheKey instanceof NaturalIdCacheKey k) {
      return tenant(k.getTenantId()) + role(withRole, k.getEntityName())
          + id(k.getNaturalIdValues());
    }
    throw new IllegalArgumentException("not a Hibernate cache key: " + cacheKey.getClass().getName()
        + " (hibernate.cache.keys_factory must be left at its default with Coherent)");
  }

  /**
   * The entity id of a cache key as the change log's {@code cache_key} has it (its text form),
   * or null for an id type whose text the change log does not share (composite ids).
   */
  static @Nullable String idText(Object cacheKey) {
    Object id = cacheKey instanceof BasicCacheKeyImplementation k ? k.getId()
        : cacheKey instanceof CacheKeyImplementation k ? k.getId() : null;
    return id == null ? null : plain(id);
  }

  private static String role(boolean withRole, String role) {
    return withRole ? role + "#" : "";
  }

  private static String tenant(@Nullable String tenantId) {
    return tenantId == null ? "" : tenantId.length() + ":" + tenantId;
  }

  private static String id(Object id) {
    String plain = plain(id);
    return plain != null ? plain
        : "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(serialize(id));
  }

  /** The text of the plain id types (as PostgreSQL casts them to text), else null. */
  private static @Nullable String plain(Object id) {
    if (id instanceof String || id instanceof Long || id instanceof Integer || id instanceof Short
        || id instanceof Byte || id instanceof UUID || id instanceof BigInteger
        || id instanceof Character || id instanceof Boolean) {
      return id.toString();
    }
    if (id instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return null;
  }

  private static byte[] serialize(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the cache key " + value, e);
    }
    return bytes.toByteArray();
  }
}
