package dev.coherent.core.internal;

import org.jspecify.annotations.Nullable;

/** What an L1 or L2 entry is; L2 stores the first three by their one-letter code. */
public enum EntryKind {
  VALUE('V', true),
  ABSENT('N', true),
  TOMBSTONE('T', false),
  /** A load in flight; never stored in L2 (its code is not a stored kind). */
  LOADING('?', false);

  /** The code of the kind in an L2 entry ({@code <version>|<code>|<payload>}). */
  public final char code;
  /** Whether L1 may answer a read with an entry of this kind. */
  public final boolean answers;

  EntryKind(char code, boolean answers) {
    this.code = code;
    this.answers = answers;
  }

  /** The stored kind with this code; null for anything else (including {@link #LOADING}). */
  public static @Nullable EntryKind of(char code) {
    return switch (code) {
      case 'V' -> VALUE;
      case 'N' -> ABSENT;
      case 'T' -> TOMBSTONE;
      default -> null;
    };
  }
}
