package dev.coherent.demo.catalog.internal;

import dev.coherent.core.Hint;
import io.lettuce.core.pubsub.PubSubCommandHandler;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Fault injection on one instance's Pub/Sub subscriber, for the demo's chaos endpoint and
 * scenarios:
 * <ul>
 *   <li>{@link Mode#DEAF}: the connection stays up but every hint is discarded (the runtime's
 *       {@code hintFilter} is {@link #hintFilter()}): nothing looks wrong to the instance, so
 *       only the reconciler's scheduled tick restores freshness;
 *   <li>{@link Mode#DOWN}: the Pub/Sub connection is closed and every reconnection attempt is
 *       closed as soon as its socket connects (a Netty handler this customizer puts first in the
 *       Pub/Sub connection's pipeline), so the subscriber stays disconnected; the command
 *       connection is untouched. When the mode ends, Lettuce's next attempt connects and the
 *       runtime reconciles on the resubscription.
 * </ul>
 * A mode lasts until its deadline, or until {@link #set} with {@link Mode#OFF}.
 *
 * <p>Thread-safe: the state is one immutable record in a volatile field, read by Netty event
 * loops and request threads and replaced by request threads; the open Pub/Sub channels are in a
 * concurrent set.
 */
final class SubscriberChaos {
  /** What the subscriber suffers. */
  enum Mode {
    OFF, DEAF, DOWN
  }

  private record State(Mode mode, long untilNanos) {}

  private final LongSupplier nanoTime;
  private final Set<Channel> pubSubChannels = ConcurrentHashMap.newKeySet();
  private volatile State state = new State(Mode.OFF, 0);

  SubscriberChaos() {
    this(System::nanoTime);
  }

  SubscriberChaos(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Starts {@code mode} for {@code duration} (ignored for {@link Mode#OFF}, which ends any). */
  void set(Mode mode, Duration duration) {
    state = mode == Mode.OFF ? new State(Mode.OFF, 0)
        : new State(mode, nanoTime.getAsLong() + duration.toNanos());
    if (mode == Mode.DOWN) {
      pubSubChannels.forEach(Channel::close);
    }
  }

  /** The mode in force now ({@link Mode#OFF} once the deadline has passed). */
  Mode mode() {
    State s = state;
    return s.mode != Mode.OFF && nanoTime.getAsLong() - s.untilNanos < 0 ? s.mode : Mode.OFF;
  }

  /** How long the current mode still lasts (zero when off). */
  Duration remaining() {
    State s = state;
    return mode() == Mode.OFF ? Duration.ZERO
        : Duration.ofNanos(s.untilNanos - nanoTime.getAsLong());
  }

  /** The runtime's hint filter: rejects every hint while {@link Mode#DEAF}. */
  Predicate<Hint> hintFilter() {
    return hint -> mode() != Mode.DEAF;
  }

  /** The Lettuce client resources' Netty customizer: keeps Pub/Sub down while {@link Mode#DOWN}. */
  NettyCustomizer nettyCustomizer() {
    return new NettyCustomizer() {
      @Override
      public void afterChannelInitialized(Channel channel) {
        // Lettuce adds its handlers before calling this: a Pub/Sub connection has this one.
        if (channel.pipeline().get(PubSubCommandHandler.class) != null) {
          channel.pipeline().addFirst("coherent-demo-chaos", new HoldDown());
        }
      }
    };
  }

  @ChannelHandler.Sharable
  private final class HoldDown extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      if (mode() == Mode.DOWN) {
        ctx.close();
        return;
      }
      pubSubChannels.add(ctx.channel());
      ctx.channel().closeFuture().addListener(f -> pubSubChannels.remove(ctx.channel()));
      super.channelActive(ctx);
    }
  }
}
