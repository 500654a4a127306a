package dev.coherent.demo.catalog.internal;

import java.util.Currency;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The writable fields of a product, validated: what {@code POST /products} and {@code PUT
 * /products/{id}} carry. {@link #read} names every bad field at once.
 */
record ProductFields(String sku, String name, String description, long priceCents,
    String currency, long categoryId, int stock) {

  static final long MAX_PRICE_CENTS = 100_000_000_000L; // 1,000,000,000.00 in any currency
  static final int MAX_STOCK = 1_000_000_000;
  static final Set<String> FIELDS =
      Set.of("sku", "name", "description", "priceCents", "currency", "categoryId", "stock");
  static final String EXAMPLE = "{\"sku\":\"SKU-100001\",\"name\":\"Oak Lamp\",\"description\":"
      + "\"A lamp\",\"priceCents\":1299,\"currency\":\"EUR\",\"categoryId\":13,\"stock\":5}";
  private static final Pattern SKU = Pattern.compile("[A-Z0-9][A-Z0-9-]*");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  /** The price-change body: {@code {"priceCents": 1299}}. */
  static final String PRICE_EXAMPLE = "{\"priceCents\": 1299}";

  static ProductFields read(byte[] body) {
    JsonInput in = JsonInput.parse(body, EXAMPLE).rejectUnknown(FIELDS);
    String sku = in.text("sku", 1, 40, SKU,
        "1 to 40 characters of A-Z, 0-9 and '-', starting with a letter or digit");
    String name = in.text("name", 1, 200, null, "1 to 200 characters");
    String description = in.text("description", 0, 2000, null, "0 to 2000 characters");
    Long price = priceCents(in);
    String currency = in.text("currency", 3, 3, CURRENCY, "an ISO 4217 code such as EUR or USD");
    if (currency != null && !isoCurrency(currency)) {
      in.error("currency", "must be an ISO 4217 code such as EUR or USD but was \"" + currency
          + "\"");
    }
    Long categoryId = in.integer("categoryId", 1, Long.MAX_VALUE);
    Long stock = in.integer("stock", 0, MAX_STOCK);
    in.check();
    return new ProductFields(sku, name, description, price, currency, categoryId,
        stock.intValue());
  }

  /** The new price of {@code PATCH /products/{id}/price}. */
  static long readPrice(byte[] body) {
    JsonInput in = JsonInput.parse(body, PRICE_EXAMPLE).rejectUnknown(Set.of("priceCents"));
    Long price = priceCents(in);
    in.check();
    return price;
  }

  private static Long priceCents(JsonInput in) {
    return in.integer("priceCents", 0, MAX_PRICE_CENTS);
  }

  private static boolean isoCurrency(String code) {
    try {
      Currency.getInstance(code);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
