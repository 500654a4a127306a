package dev.coherent.demo.catalog;

/** A row of the demo's {@code products} table (without its version, which travels beside it). */
public record Product(
    long id,
    String sku,
    String name,
    String description,
    long priceCents,
    String currency,
    long categoryId,
    int stock) {}
