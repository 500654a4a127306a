/** Internal: may change without notice. The provider's regions, accesses, keys and codec. */
@NullMarked
package dev.coherent.hibernate.internal;

import org.jspecify.annotations.NullMarked;
