package dev.coherent.demo.catalog;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * A row of {@code products}, read and written through Hibernate and cached in the second-level
 * cache region {@value #REGION} (Coherent namespace {@code hb:catalog.product}) with
 * {@code READ_WRITE}: the {@code @Version} orders its states across instances, and the change-log
 * trigger keeps it increasing when someone updates the row with plain SQL.
 *
 * <p>Not thread-safe (an entity belongs to one session).
 */
@Entity
@Table(name = "products")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE, region = Product.REGION)
public class Product {
  /** The second-level cache region of products. */
  public static final String REGION = "catalog.product";

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "products_id")
  @SequenceGenerator(name = "products_id", sequenceName = "products_id_seq", allocationSize = 1)
  private Long id;

  @Column(nullable = false, unique = true)
  private String sku;

  @Column(nullable = false)
  private String name;

  @Column(nullable = false)
  private String description;

  @Column(name = "price_cents", nullable = false)
  private long priceCents;

  @Column(nullable = false, length = 3)
  private String currency;

  @Column(name = "category_id", nullable = false)
  private long categoryId;

  @Column(nullable = false)
  private int stock;

  @Version
  private long version;

  protected Product() {}

  public Product(String sku, String name, String description, long priceCents, String currency,
      long categoryId, int stock) {
    this.sku = sku;
    this.name = name;
    this.description = description;
    this.priceCents = priceCents;
    this.currency = currency;
    this.categoryId = categoryId;
    this.stock = stock;
  }

  public Long getId() {
    return id;
  }

  public String getSku() {
    return sku;
  }

  public void setSku(String sku) {
    this.sku = sku;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public long getPriceCents() {
    return priceCents;
  }

  public void setPriceCents(long priceCents) {
    this.priceCents = priceCents;
  }

  public String getCurrency() {
    return currency;
  }

  public void setCurrency(String currency) {
    this.currency = currency;
  }

  public long getCategoryId() {
    return categoryId;
  }

  public void setCategoryId(long categoryId) {
    this.categoryId = categoryId;
  }

  public int getStock() {
    return stock;
  }

  public void setStock(int stock) {
    this.stock = stock;
  }

  /** The row's version: Hibernate raises it on every update it makes, the trigger on others. */
  public long getVersion() {
    return version;
  }
}
