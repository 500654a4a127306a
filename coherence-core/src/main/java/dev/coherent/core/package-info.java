/**
 * Coherent's near cache, the public API: {@link dev.coherent.core.CoherentRuntime} (one per
 * service instance) creates {@link dev.coherent.core.NearCache} namespaces; values are read
 * through a {@link dev.coherent.core.VersionedLoader} and carry their {@link
 * dev.coherent.core.Versioned version}; {@link dev.coherent.core.Codecs} turn them into bytes;
 * {@link dev.coherent.core.NamespaceOptions} and {@link dev.coherent.core.ChangeLogOptions}
 * configure them. Everything else is in {@code internal} packages. See docs/user-guide.md.
 */
@NullMarked
package dev.coherent.core;

import org.jspecify.annotations.NullMarked;
