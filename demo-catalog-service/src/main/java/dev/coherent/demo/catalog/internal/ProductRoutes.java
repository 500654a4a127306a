package dev.coherent.demo.catalog.internal;

import dev.coherent.core.Versioned;
import dev.coherent.demo.ApiException;
import dev.coherent.demo.FieldError;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog's HTTP API: products through Hibernate ({@link ProductStore}), listings through the
 * programmatic namespace ({@link Listings}). Every answer is JSON; errors are
 * {@link ApiException}s (see the instance's error handling).
 *
 * <p>Thread-safe: stateless over thread-safe collaborators; handlers run on Jetty's threads.
 */
final class ProductRoutes {
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  static final String SERVED_FROM = "Served-From";
  static final String SERVED_BY = "Served-By";

  private final String instanceId;
  private final ProductStore store;
  private final Listings listings;

  ProductRoutes(String instanceId, ProductStore store, Listings listings) {
    this.instanceId = instanceId;
    this.store = store;
    this.listings = listings;
  }

  void addTo(RoutesConfig routes) {
    routes.get("/products/{id}", this::get);
    routes.post("/products", this::create);
    routes.put("/products/{id}", this::replace);
    routes.patch("/products/{id}/price", this::setPrice);
    routes.delete("/products/{id}", this::delete);
    routes.get("/categories/{id}/products", this::listing);
  }

  private void get(Context ctx) {
    long id = RequestParts.id(ctx, "id", "product");
    ServedFrom.Traced<ProductStore.View> found = store.find(id);
    ctx.header(SERVED_FROM, found.tier().header());
    ctx.header(SERVED_BY, instanceId);
    if (found.value() == null) {
      throw ApiException.notFound("no product " + id);
    }
    product(ctx, 200, found.value());
  }

  private void create(Context ctx) {
    ProductFields fields = ProductFields.read(ctx.bodyAsBytes());
    ProductStore.View created = store.create(fields);
    ctx.header("Location", "/products/" + created.id());
    product(ctx, 201, created);
  }

  private void replace(Context ctx) {
    long id = RequestParts.id(ctx, "id", "product");
    Long ifMatch = RequestParts.ifMatch(ctx);
    ProductFields fields = ProductFields.read(ctx.bodyAsBytes());
    product(ctx, 200, store.replace(id, fields, ifMatch));
  }

  private void setPrice(Context ctx) {
    long id = RequestParts.id(ctx, "id", "product");
    Long ifMatch = RequestParts.ifMatch(ctx);
    long price = ProductFields.readPrice(ctx.bodyAsBytes());
    product(ctx, 200, store.setPrice(id, price, ifMatch));
  }

  private void delete(Context ctx) {
    long id = RequestParts.id(ctx, "id", "product");
    Long ifMatch = RequestParts.ifMatch(ctx);
    store.delete(id, ifMatch);
    ctx.status(204);
  }

  private void listing(Context ctx) {
    long categoryId = RequestParts.id(ctx, "id", "category");
    List<FieldError> errors = new ArrayList<>();
    int page = RequestParts.query(ctx, "page", 1, 1, 1_000_000, errors);
    int size = RequestParts.query(ctx, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, errors);
    if (!errors.isEmpty()) {
      throw ApiException.badRequest(errors);
    }
    Versioned<Listings.Listing> listing = listings.get(categoryId);
    if (listing == null) {
      throw ApiException.notFound("no category " + categoryId);
    }
    List<Listings.Item> all = listing.value().products();
    int from = (int) Math.min((long) (page - 1) * size, all.size());
    int to = Math.min(from + size, all.size());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("categoryId", categoryId);
    body.put("category", listing.value().categoryName());
    body.put("listingVersion", listing.version());
    body.put("page", page);
    body.put("size", size);
    body.put("total", all.size());
    body.put("pages", (all.size() + size - 1) / size);
    body.put("products", all.subList(from, to));
    ctx.header(SERVED_BY, instanceId);
    ctx.json(body);
  }

  private static void product(Context ctx, int status, ProductStore.View view) {
    ctx.header("ETag", "\"" + view.version() + "\"");
    ctx.status(status).json(view);
  }
}
