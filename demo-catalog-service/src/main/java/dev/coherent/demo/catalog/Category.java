package dev.coherent.demo.catalog;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * A row of {@code categories} (20 of them, seeded), cached in the region {@value #REGION}
 * (namespace {@code hb:catalog.category}). The service only reads them: to check a product's
 * {@code categoryId} and to name a listing's category.
 *
 * <p>Not thread-safe (an entity belongs to one session).
 */
@Entity
@Table(name = "categories")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE, region = Category.REGION)
public class Category {
  /** The second-level cache region of categories. */
  public static final String REGION = "catalog.category";

  @Id
  private Long id;

  @Column(nullable = false, unique = true)
  private String name;

  @Version
  private long version;

  protected Category() {}

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public long getVersion() {
    return version;
  }
}
