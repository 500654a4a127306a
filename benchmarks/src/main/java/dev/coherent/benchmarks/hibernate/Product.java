package dev.coherent.benchmarks.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * The Hibernate group's entity: versioned and cached {@code READ_WRITE}, in the region named after
 * the class (the same region name with every provider). Mutable for Hibernate's field access;
 * not thread-safe, as any entity.
 */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Product {
  @Id Long id;
  String name;
  long priceCents;
  @Version long version;

  protected Product() {}

  public Product(long id, String name, long priceCents) {
    this.id = id;
    this.name = name;
    this.priceCents = priceCents;
  }

  public Long id() {
    return id;
  }

  public String name() {
    return name;
  }

  public long priceCents() {
    return priceCents;
  }

  public long version() {
    return version;
  }
}
