package dev.coherent.core;

import io.micrometer.core.instrument.MeterRegistry;

/** Reads a counter or function counter by name and tags; 0 when it was never registered. */
public final class Meters {
  private Meters() {}

  public static double count(MeterRegistry registry, String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    if (counter != null) {
      return counter.count();
    }
    var functionCounter = registry.find(name).tags(tags).functionCounter();
    return functionCounter == null ? 0 : functionCounter.count();
  }
}
