package dev.coherent.demo.catalog.internal;

import dev.coherent.demo.ApiException;
import dev.coherent.demo.FieldError;
import dev.coherent.demo.catalog.Category;
import dev.coherent.demo.catalog.Product;
import jakarta.persistence.CacheRetrieveMode;
import jakarta.persistence.OptimisticLockException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StaleStateException;
import org.hibernate.exception.ConstraintViolationException;
import org.jspecify.annotations.Nullable;

/**
 * Products through Hibernate: reads through the second-level cache (Coherent), writes in a
 * transaction that reads the current row from the database ({@link CacheRetrieveMode#BYPASS} on
 * each {@code find}, so an {@code If-Match} is compared with the database's version and the
 * optimistic lock with the row's, not with a copy that may be a reconcile interval old; a
 * {@code session.setCacheMode(CacheMode.REFRESH)} did not keep {@code find} from reading the
 * second-level cache here), and after each
 * commit the listing of every category it touched is invalidated at the version the transaction
 * read after its flush (the trigger raised it).
 *
 * <p>Thread-safe: a session per call; the session factory and the listings are thread-safe.
 */
final class ProductStore {
  /** What a product looks like in JSON. */
  record View(long id, String sku, String name, String description, long priceCents,
      String currency, long categoryId, int stock, long version) {
    static View of(Product p) {
      return new View(p.getId(), p.getSku(), p.getName(), p.getDescription(), p.getPriceCents(),
          p.getCurrency(), p.getCategoryId(), p.getStock(), p.getVersion());
    }
  }

  private final SessionFactory sessions;
  private final Listings listings;
  private final ServedFrom servedFrom;

  ProductStore(SessionFactory sessions, Listings listings, ServedFrom servedFrom) {
    this.sessions = sessions;
    this.listings = listings;
    this.servedFrom = servedFrom;
  }

  /** The product (from L1, L2 or the database, as the trace says), or null. */
  ServedFrom.Traced<@Nullable View> find(long id) {
    return servedFrom.trace(() -> sessions.fromSession(s -> {
      Product p = s.find(Product.class, id);
      return p == null ? null : View.of(p);
    }));
  }

  View create(ProductFields f) {
    return write(s -> {
      requireCategory(s, f.categoryId());
      Product p = new Product(f.sku(), f.name(), f.description(), f.priceCents(), f.currency(),
          f.categoryId(), f.stock());
      s.persist(p);
      return p;
    }, null);
  }

  View replace(long id, ProductFields f, @Nullable Long ifMatch) {
    return write(s -> {
      Product p = existing(s, id, ifMatch);
      if (p.getCategoryId() != f.categoryId()) {
        requireCategory(s, f.categoryId());
      }
      p.setSku(f.sku());
      p.setName(f.name());
      p.setDescription(f.description());
      p.setPriceCents(f.priceCents());
      p.setCurrency(f.currency());
      p.setCategoryId(f.categoryId());
      p.setStock(f.stock());
      return p;
    }, id);
  }

  View setPrice(long id, long priceCents, @Nullable Long ifMatch) {
    return write(s -> {
      Product p = existing(s, id, ifMatch);
      p.setPriceCents(priceCents);
      return p;
    }, id);
  }

  void delete(long id, @Nullable Long ifMatch) {
    write(s -> {
      Product p = existing(s, id, ifMatch);
      s.remove(p);
      return p;
    }, id);
  }

  /**
   * Runs {@code change} in a transaction, then invalidates the listings it changed. The categories
   * are those of the row before ({@code id}'s, read first) and after the change.
   */
  private View write(Function<Session, Product> change, @Nullable Long id) {
    Map<Long, Long> listingVersions = new LinkedHashMap<>();
    View result;
    try {
      result = sessions.fromTransaction(s -> {
        Long before = null;
        if (id != null) {
          Product old = s.find(Product.class, id, CacheRetrieveMode.BYPASS);
          before = old == null ? null : old.getCategoryId();
        }
        Product p = change.apply(s);
        s.flush();
        View view = View.of(p);
        if (before != null) {
          listingVersions.put(before, listingVersion(s, before));
        }
        listingVersions.put(p.getCategoryId(), listingVersion(s, p.getCategoryId()));
        return view;
      });
    } catch (RuntimeException e) {
      throw translate(e);
    }
    listingVersions.forEach(listings::invalidate);
    return result;
  }

  private static Product existing(Session s, long id, @Nullable Long ifMatch) {
    Product p = s.find(Product.class, id, CacheRetrieveMode.BYPASS);
    if (p == null) {
      throw ApiException.notFound("no product " + id);
    }
    if (ifMatch != null && ifMatch != p.getVersion()) {
      throw ApiException.preconditionFailed("product " + id + " is at version " + p.getVersion()
          + ", not " + ifMatch + " (If-Match); read it again and retry", p.getVersion());
    }
    return p;
  }

  private static void requireCategory(Session s, long categoryId) {
    if (s.find(Category.class, categoryId) == null) {
      throw ApiException.badRequest("categoryId", "no category " + categoryId
          + " exists; GET /categories/{id}/products lists a category's products (ids 1 to 20 in"
          + " the seed)");
    }
  }

  /** The listing version of a category as this transaction sees it (after its flush). */
  private static long listingVersion(Session s, long categoryId) {
    Object v = s.createNativeQuery(
            "SELECT version FROM category_listings WHERE category_id = :c", Long.class)
        .setParameter("c", categoryId).getSingleResultOrNull();
    return v == null ? 0 : (Long) v;
  }

  /** A lost optimistic lock or a taken sku as a 409 (wrapped or not); anything else as is. */
  private static RuntimeException translate(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
        return ApiException.conflict("the product was changed by another request at the same"
            + " time; read it again and retry", List.of());
      }
      if (t instanceof ConstraintViolationException c && c.getConstraintName() != null
          && c.getConstraintName().contains("sku")) {
        return ApiException.conflict("another product already has this sku", List.of(
            new FieldError("sku", "is already used by another product; choose another")));
      }
    }
    return e;
  }
}
