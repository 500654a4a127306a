package dev.coherent.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecsUnitTests {

  /** A record with nesting and a collection, as applications cache them. */
  record Order(long id, String customer, List<Product> lines, Map<String, String> labels) {}

  // ------------------------------------------------------------------------ string

  @Test
  void stringRoundTripsAsUtf8() {
    Codec<String> codec = Codecs.string();
    String text = "Hämmer 🔨 | 42 \u0000 end";
    assertThat(codec.encode(text)).isEqualTo(text.getBytes(UTF_8));
    assertThat(codec.decode(codec.encode(text))).isEqualTo(text);
    assertThat(codec.decode(codec.encode(""))).isEmpty();
  }

  @Test
  void stringDecodeOfInvalidUtf8ReplacesRatherThanThrows() {
    assertThat(Codecs.string().decode(new byte[] {(byte) 0xC3})).isEqualTo("\uFFFD");
  }

  // ------------------------------------------------------------------------ bytes

  @Test
  void bytesAreStoredAsTheyAre() {
    Codec<byte[]> codec = Codecs.bytes();
    byte[] raw = {0, '|', (byte) 0xFF, 7};
    assertThat(codec.encode(raw)).isSameAs(raw);
    assertThat(codec.decode(raw)).isSameAs(raw);
    assertThat(codec.decode(codec.encode(new byte[0]))).isEmpty();
  }

  @Test
  void builtInCodecsAreSingletons() {
    assertThat(Codecs.string()).isSameAs(Codecs.string());
    assertThat(Codecs.bytes()).isSameAs(Codecs.bytes());
  }

  // ------------------------------------------------------------------------ json

  @Test
  void jsonRoundTripsARecord() {
    Codec<Product> codec = Codecs.json(Product.class);
    Product hammer = new Product(42, "Hämmer \"Pro\"", 1999);

    byte[] bytes = codec.encode(hammer);

    assertThat(new String(bytes, UTF_8))
        .isEqualTo("{\"id\":42,\"name\":\"Hämmer \\\"Pro\\\"\",\"priceCents\":1999}");
    assertThat(codec.decode(bytes)).isEqualTo(hammer);
  }

  @Test
  void jsonRoundTripsANestedRecord() {
    Codec<Order> codec = Codecs.json(Order.class);
    Order order = new Order(7, "c-1",
        List.of(new Product(1, "saw", 500), new Product(2, "nail", 1)), Map.of("rush", "yes"));
    assertThat(codec.decode(codec.encode(order))).isEqualTo(order);
  }

  @Test
  void jsonRoundTripsAGenericListOfRecordsViaTypeReference() {
    Codec<List<Product>> codec = Codecs.json(new TypeReference<List<Product>>() {});
    List<Product> products = List.of(new Product(1, "saw", 500), new Product(2, "nail", 1));

    List<Product> decoded = codec.decode(codec.encode(products));

    assertThat(decoded).containsExactlyElementsOf(products);
    assertThat(decoded.get(0)).isInstanceOf(Product.class); // not a LinkedHashMap
  }

  @Test
  void jsonIgnoresUnknownPropertiesSoOlderInstancesCanReadNewerEntries() {
    byte[] newer = "{\"id\":42,\"name\":\"hammer\",\"priceCents\":1999,\"color\":\"red\",\"dims\":{\"w\":1}}"
        .getBytes(UTF_8);
    assertThat(Codecs.json(Product.class).decode(newer)).isEqualTo(new Product(42, "hammer", 1999));
  }

  @Test
  void jsonDecodeOfGarbageThrowsUncheckedIoNamingTheType() {
    assertThatThrownBy(() -> Codecs.json(Product.class).decode("not json".getBytes(UTF_8)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot decode JSON as ")
        .hasMessageContaining("dev.coherent.core.Product")
        .hasCauseInstanceOf(java.io.IOException.class);

    assertThatThrownBy(() -> Codecs.json(new TypeReference<List<Product>>() {})
            .decode("{\"id\":1}".getBytes(UTF_8)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("java.util.List")
        .hasMessageContaining("dev.coherent.core.Product");

    assertThatThrownBy(() -> Codecs.json(Product.class).decode("{\"id\":\"forty-two\"}".getBytes(UTF_8)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("dev.coherent.core.Product");

    assertThatThrownBy(() -> Codecs.json(Product.class).decode(new byte[0]))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void jsonEncodeOfAnUnserialisableValueThrowsUncheckedIoNamingTheClass() {
    assertThatThrownBy(() -> Codecs.json(Object.class).encode(new Object()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("cannot encode java.lang.Object as JSON");
  }

  @Test
  void aGivenMapperIsUsedAsConfigured() {
    ObjectMapper strict =
        JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    Codec<Product> codec = Codecs.json(strict, Product.class);

    assertThat(codec.decode(codec.encode(new Product(1, "saw", 5)))).isEqualTo(new Product(1, "saw", 5));
    assertThatThrownBy(() -> codec.decode(
            "{\"id\":1,\"name\":\"saw\",\"priceCents\":5,\"color\":\"red\"}".getBytes(UTF_8)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("dev.coherent.core.Product");
  }

  @Test
  void aNullMapperIsRejected() {
    assertThatThrownBy(() -> Codecs.json((ObjectMapper) null, Product.class))
        .isInstanceOf(NullPointerException.class);
  }
}
