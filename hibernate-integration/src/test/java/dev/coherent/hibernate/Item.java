package dev.coherent.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

/** A versioned, READ_WRITE-cached entity with a cached natural id. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@NaturalIdCache
public class Item {
  @Id Long id;
  @NaturalId String sku;
  String name;
  long priceCents;
  @ManyToOne Shelf shelf;
  @Version long version;

  protected Item() {}

  Item(long id, String sku, String name, long priceCents, Shelf shelf) {
    this.id = id;
    this.sku = sku;
    this.name = name;
    this.priceCents = priceCents;
    this.shelf = shelf;
  }
}
