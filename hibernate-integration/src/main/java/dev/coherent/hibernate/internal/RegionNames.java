package dev.coherent.hibernate.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.hibernate.cache.CacheException;

/**
 * Hibernate region names as Coherent namespace names, reversibly: {@code hb:} then the region
 * name with letters, digits, {@code _ . -} kept and every other byte of its UTF-8 form written as
 * {@code :} and two lower-case hex digits ({@code com.example.Product##NaturalId} becomes {@code
 * hb:com.example.Product:23:23NaturalId}). Namespace names, Redis keys, channel names and metric
 * tags then take any region name, including the region prefix and natural-id regions. Stateless.
 */
public final class RegionNames {
  static final String PREFIX = "hb:";
  private static final int MAX_NAMESPACE = 100;

  private RegionNames() {}

  /** The namespace of {@code region}; fails naming the region when it would be too long. */
  public static String namespace(String region) {
    StringBuilder out = new StringBuilder(PREFIX);
    for (byte b : region.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
          || c == '.' || c == '-') {
        out.append(c);
      } else {
        out.append(':').append(Character.forDigit((b >> 4) & 0xf, 16))
            .append(Character.forDigit(b & 0xf, 16));
      }
    }
    if (region.isEmpty() || out.length() > MAX_NAMESPACE) {
      throw new CacheException("Coherent second-level cache: region '" + region + "' maps to the"
          + " namespace '" + out + "', which has " + out.length() + " characters; a namespace has"
          + " at most " + MAX_NAMESPACE + ". Give the entity or collection a shorter region with"
          + " @Cache(region = \"...\"), or a shorter hibernate.cache.region_prefix");
    }
    return out.toString();
  }

  /** The region of a namespace made by {@link #namespace}. */
  public static String region(String namespace) {
    if (!namespace.startsWith(PREFIX)) {
      throw new IllegalArgumentException("'" + namespace + "' is not a Hibernate region's namespace"
          + " (those start with " + PREFIX + ")");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = PREFIX.length(); i < namespace.length(); i++) {
      char c = namespace.charAt(i);
      if (c == ':') {
        bytes.write(Integer.parseInt(namespace.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
