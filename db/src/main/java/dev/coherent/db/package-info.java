/**
 * Coherent's PostgreSQL schema: {@link dev.coherent.db.CoherentSchema} applies the change log, the
 * {@code coherent_track(...)} trigger helper and retention.
 */
@NullMarked
package dev.coherent.db;

import org.jspecify.annotations.NullMarked;
