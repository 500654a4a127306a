/**
 * Internal: may change without notice; nothing outside coherence-core may use it (a test
 * enforces this). One namespace's parts: {@link dev.coherent.core.internal.NamespaceCache} (the
 * facade), {@link dev.coherent.core.internal.L1Store}, {@link
 * dev.coherent.core.internal.LoadPipeline}, {@link dev.coherent.core.internal.WritePath}, {@link
 * dev.coherent.core.internal.HintReceiver}; and the runtime's {@link
 * dev.coherent.core.internal.RuntimeEngine}. See docs/architecture.md.
 */
@NullMarked
package dev.coherent.core.internal;

import org.jspecify.annotations.NullMarked;
