/**
 * Internal: may change without notice. The Redis protocol (docs/protocol.md) in one place: the
 * {@link dev.coherent.core.internal.redis.L2Store} of a namespace and its Lua scripts ({@link
 * dev.coherent.core.internal.redis.RedisL2Store}), the entry and hint codecs, hint signing,
 * channel names, and the runtime's connections.
 */
@NullMarked
package dev.coherent.core.internal.redis;

import org.jspecify.annotations.NullMarked;
