package dev.litestack.todo.web;

import dev.litestack.todo.logging.QuietLog;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the bytes of answers the process holds for clients that do not read them. A response is handed to Netty
 * whole (a page at the limits is 7 MB) and stays in its buffers, outside the heap, until the client has read all
 * but what the kernel's socket buffer takes; a few clients that ask for a big page and never read would otherwise
 * grow the process by hundreds of MiB. Every connection counts what was written to it and not yet to its socket;
 * when the sum passes {@code app.web.max-unsent-bytes}, the connection whose client has left bytes unread the
 * longest is closed (logged quietly): a client that reads empties its backlog within moments, one that does not
 * keeps it. Only a connection over Netty's write-buffer high-water mark (not writable) is closed.
 */
@Singleton
final class UnsentResponses implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private static final Logger LOG = LoggerFactory.getLogger(UnsentResponses.class);
    private static final String NAME = "todo-unsent-responses";

    private final long limit;
    private final AtomicLong total = new AtomicLong();
    private final Set<Handler> connections = ConcurrentHashMap.newKeySet();
    private final QuietLog quiet;

    @Inject
    UnsentResponses(WebProperties settings, Clock clock) {
        this(settings.maxUnsentBytes(), clock);
    }

    UnsentResponses(long limit, Clock clock) {
        this.limit = limit;
        this.quiet = new QuietLog(LOG, clock, Duration.ofMinutes(1), 5);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(ConnectionHandlerInstaller.of(NAME, this::newHandler));
        return event.getBean();
    }

    /** Bytes written to connections and not yet to their sockets, all connections together. */
    long unsentBytes() {
        return total.get();
    }

    /** The handler of one connection (added nearest the socket, where what is written is the encoded bytes). */
    Handler newHandler() {
        return new Handler();
    }

    /** Closes the connection that has had unsent bytes the longest. */
    private void shed() {
        Handler worst = connections.stream()
                // a connection whose buffer is below Netty's high-water mark is keeping up: never a victim
                .filter(h -> h.pending.get() > 0 && h.channel != null && !h.channel.isWritable())
                .min(Comparator.comparingLong(h -> h.stuckSince))
                .orElse(null);
        if (worst == null || !connections.remove(worst)) {
            return; // none, or another thread is closing it: a closing connection is not chosen twice
        }
        quiet.warn(
                "unsent responses",
                "answers not yet read by their clients passed app.web.max-unsent-bytes " + limit
                        + "; closed the connection whose client left its answer unread the longest ("
                        + worst.pending.get() + " bytes, "
                        + worst.channel.remoteAddress() + ")");
        worst.channel.close();
    }

    final class Handler extends ChannelOutboundHandlerAdapter {
        private final AtomicLong pending = new AtomicLong();
        /** {@link System#nanoTime()} when the backlog last grew from nothing. */
        private volatile long stuckSince;

        private volatile Channel channel;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            connections.add(this);
            ctx.channel().closeFuture().addListener(closed -> connections.remove(this));
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            long n = msg instanceof ByteBuf b
                    ? b.readableBytes()
                    : msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
            if (n == 0) {
                ctx.write(msg, promise);
                return;
            }
            ChannelPromise counted = promise.unvoid();
            if (pending.getAndAdd(n) == 0) {
                stuckSince = System.nanoTime();
            }
            long now = total.addAndGet(n);
            // done (written to the socket) or failed (the connection closed): either way no longer held
            counted.addListener(f -> {
                pending.addAndGet(-n);
                total.addAndGet(-n);
            });
            ctx.write(msg, counted);
            if (now > limit) {
                shed();
            }
        }
    }
}
