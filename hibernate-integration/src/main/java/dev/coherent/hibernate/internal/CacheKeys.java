package dev.coherent.hibernate.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.UUID;
import org.hibernate.cache.internal.BasicCacheKeyImplementation;
import org.hibernate.cache.internal.CacheKeyImplementation;
import org.hibernate.cache.internal.NaturalIdCacheKey;

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

  private static String role(boolean withRole, String role) {
    return withRole ? role + "#" : "";
  }

  private static String tenant(String tenantId) {
    return tenantId == null ? "" : tenantId.length() + ":" + tenantId;
  }

  private static String id(Object id) {
    if (id instanceof String || id instanceof Long || id instanceof Integer || id instanceof Short
        || id instanceof Byte || id instanceof UUID || id instanceof BigInteger
        || id instanceof Character || id instanceof Boolean) {
      return id.toString();
    }
    if (id instanceof BigDecimal d) {
      return d.toPlainString();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(id);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the cache key id " + id, e);
    }
    return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }
}
