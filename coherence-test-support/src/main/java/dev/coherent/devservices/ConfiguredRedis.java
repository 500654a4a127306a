package dev.coherent.devservices;

import io.lettuce.core.RedisURI;

/** A Redis server named by configuration. It cannot be stopped or started from here. */
final class ConfiguredRedis extends RedisAdmin {
  private final String url;

  private ConfiguredRedis(String url) {
    this.url = url;
  }

  /** Validates the URL and pings the server; fails with a message naming setting and value. */
  static ConfiguredRedis connect(String setting, String url) {
    RedisUrls.parse(setting, url);
    ConfiguredRedis redis = new ConfiguredRedis(url);
    RedisUrls.requireReachable(setting, url);
    return redis;
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.CONFIGURED;
  }

  @Override
  public RedisURI uri() {
    return RedisURI.create(url);
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public boolean canStopAndStart() {
    return false;
  }

  @Override
  public void stop() {
    throw new UnsupportedOperationException(
        "Redis at " + Settings.mask(url) + " comes from " + Settings.REDIS_URL
            + " and cannot be stopped by a test; check canStopAndStart() first");
  }

  @Override
  public void start() {
    stop();
  }
}
