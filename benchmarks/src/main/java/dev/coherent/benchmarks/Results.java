package dev.coherent.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The numbers of one run, in insertion order: a flat map of named figures (what the JSON's top
 * level holds), plus free-text notes on what was observed and the errors of groups that failed.
 *
 * <p>Thread-safe: every method is synchronized (scenario threads may record notes).
 */
public final class Results {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Map<String, Object> values = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> errors = new LinkedHashMap<>();

  /** Records a figure; doubles are kept to 4 significant digits (the noise is larger anyway). */
  public synchronized Results put(String key, @Nullable Object value) {
    Objects.requireNonNull(key, "key");
    if (value instanceof Double d) {
      value = round(d);
    } else if (value instanceof Float f) {
      value = round(f.doubleValue());
    }
    values.put(key, value);
    return this;
  }

  public synchronized @Nullable Object get(String key) {
    return values.get(key);
  }

  /** A figure as a double, or NaN when it is absent or not a number. */
  public synchronized double number(String key) {
    Object v = values.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  public synchronized boolean has(String key) {
    return values.containsKey(key);
  }

  public synchronized void note(String note) {
    notes.add(Objects.requireNonNull(note, "note"));
  }

  public synchronized void error(String group, Throwable error) {
    errors.put(group, error.toString());
  }

  public synchronized List<String> notes() {
    return List.copyOf(notes);
  }

  public synchronized Map<String, String> errors() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(errors));
  }

  /** The JSON document: every figure at the top level, then {@code notes} and {@code errors}. */
  public synchronized String toJson() {
    Map<String, Object> doc = new LinkedHashMap<>(values);
    doc.put("notes", List.copyOf(notes));
    doc.put("errors", new LinkedHashMap<>(errors));
    try {
      return JSON.writeValueAsString(doc) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the results as JSON", e);
    }
  }

  /** Writes the JSON to {@code json} and the Markdown table to {@code markdown}. */
  public void write(Path json, Path markdown) {
    try {
      Path dir = json.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Files.writeString(json, toJson());
      Files.writeString(markdown, Report.markdown(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + json + " and " + markdown, e);
    }
  }

  static Object round(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return String.valueOf(d); // JSON has no NaN
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return (long) d;
    }
    return new BigDecimal(d).round(new MathContext(4)).doubleValue();
  }
}
