package dev.coherent.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A mutable entity without @Version over a table without a version column, cached READ_WRITE. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Unversioned {
  @Id Long id;
  String name;
  long counter;

  protected Unversioned() {}

  Unversioned(long id, String name) {
    this.id = id;
    this.name = name;
  }
}
