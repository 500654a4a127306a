package dev.coherent.core.internal.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script (a shared prelude plus its body), run by SHA with a fallback to EVAL when the
 * server does not know it (first use, after a restart or SCRIPT FLUSH, or on a replica just
 * promoted to master). On Redis Cluster Lettuce routes the call by its first key's slot; every
 * key of one call shares a hash tag. Immutable.
 */
final class Script {
  static final Script READ = load("read.lua");
  static final Script FILL = load("fill.lua");
  static final Script WRITE = load("write.lua");
  static final Script EPOCH = load("epoch.lua");
  /** {@link #WRITE} and {@link #EPOCH} publishing with {@code SPUBLISH} (sharded hint channels). */
  static final Script WRITE_SHARDED = WRITE.publishingWith("SPUBLISH");
  static final Script EPOCH_SHARDED = EPOCH.publishingWith("SPUBLISH");
  static final Script STATE = load("state.lua");
  static final Script RELEASE = load("release.lua");
  static final Script SYNCED = load("synced.lua");
  static final Script STAMP_CLOCK = load("stamps-prelude.lua", "stamp-clock.lua");
  static final Script STAMP_READ = load("stamps-prelude.lua", "stamp-read.lua");
  static final Script STAMP_WRITE = load("stamps-prelude.lua", "stamp-write.lua");
  static final Script STAMP_TOUCH = load("stamps-prelude.lua", "stamp-touch.lua");

  private final String name;
  private final String source;
  private final String sha;

  private Script(String name, String source) {
    this.name = name;
    this.source = source;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      this.sha = HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  private static Script load(String name) {
    return load("prelude.lua", name);
  }

  private static Script load(String prelude, String name) {
    return new Script(name, resource(prelude) + "\n" + resource(name));
  }

  private static String resource(String name) {
    try (InputStream in = Script.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("script resource " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + name, e);
    }
  }

  /**
   * This script with its {@code PUBLISH} calls made with {@code command} instead ({@code
   * SPUBLISH}: the same arguments, delivered only to the subscribers of the channel's shard).
   */
  Script publishingWith(String command) {
    String call = "redis.call('PUBLISH',";
    if (!source.contains(call)) {
      throw new IllegalStateException("script " + name + " has no " + call + " to replace");
    }
    return new Script(name + " (" + command + ")",
        source.replace(call, "redis.call('" + command + "',"));
  }

  String name() {
    return name;
  }

  List<Object> run(RedisClusterCommands<String, byte[]> redis, String[] keys, byte[]... args) {
    try {
      return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.eval(source, ScriptOutputType.MULTI, keys, args);
    }
  }
}
