/**
 * Dev services: {@link dev.coherent.devservices.Services} finds or starts the Redis and PostgreSQL
 * that Coherent's tests, the demo and the benchmarks run against (an explicit URL, else
 * Testcontainers when it is on the class path and a Docker engine answers, else embedded
 * binaries), plus fault tools for the tests ({@link dev.coherent.devservices.TcpProxy}, Redis
 * pauses and restarts). For tests and development runs, not for production.
 */
@NullMarked
package dev.coherent.devservices;

import org.jspecify.annotations.NullMarked;
