package dev.coherent.demo;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: a whole number and a unit, {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
public final class Durations {
  /** The valid forms, for error messages. */
  public static final String VALID_FORMS = "a whole number with ms, s, m or h, like 250ms, 2s or 1m";

  // At most 9 digits keeps every unit far from Duration's and long's limits.
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code text} or throws a {@link UsageException} naming {@code flag}, the text and the
   * valid forms.
   */
  public static Duration parse(String flag, String text) {
    Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new UsageException(
          flag + " must be a duration, " + VALID_FORMS + ", but was '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    switch (matcher.group(2)) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      default:
        return Duration.ofHours(amount);
    }
  }

  /** The shortest exact form of a duration in the units {@link #parse} accepts ({@code 1500ms}, {@code 2s}). */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis != 0 && millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }
}
