package dev.coherent.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A mutable entity without @Version over a table without a version column, cached NONSTRICT_READ_WRITE. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class UnversionedNote {
  @Id Long id;
  String name;
  long counter;

  protected UnversionedNote() {}

  UnversionedNote(long id, String name) {
    this.id = id;
    this.name = name;
  }
}
