package dev.coherent.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity without @Version whose table the tests never track: it must not be cached. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class UntrackedUnversioned {
  @Id Long id;
  String name;
  long counter;

  protected UntrackedUnversioned() {}

  UntrackedUnversioned(long id, String name) {
    this.id = id;
    this.name = name;
  }
}
