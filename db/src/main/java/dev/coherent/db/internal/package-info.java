/** Implementation of {@link dev.coherent.db.CoherentSchema}; not for use outside Coherent. */
@NullMarked
package dev.coherent.db.internal;

import org.jspecify.annotations.NullMarked;
