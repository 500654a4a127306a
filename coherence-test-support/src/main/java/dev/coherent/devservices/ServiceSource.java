package dev.coherent.devservices;

/** Where a service came from; resolution tries them in this order. */
public enum ServiceSource {
  /** An explicit URL from the environment or a system property. */
  CONFIGURED,
  /** A Testcontainers container (only when a Docker engine answers). */
  TESTCONTAINERS,
  /** An embedded binary started by this JVM on a free loopback port. */
  EMBEDDED,
  /** The system's own binaries (on the PATH), started by this JVM on free loopback ports. */
  SYSTEM
}
