package dev.coherent.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Version;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A versioned NONSTRICT_READ_WRITE entity with a cached inverse collection. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Shelf {
  @Id Long id;
  String label;
  @OneToMany(mappedBy = "shelf")
  @Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
  Set<Item> items = new HashSet<>();
  @Version long version;

  protected Shelf() {}

  Shelf(long id, String label) {
    this.id = id;
    this.label = label;
  }
}
