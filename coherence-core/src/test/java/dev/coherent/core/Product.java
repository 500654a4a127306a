package dev.coherent.core;

/** A small value type for tests. */
public record Product(long id, String name, long priceCents) {}
