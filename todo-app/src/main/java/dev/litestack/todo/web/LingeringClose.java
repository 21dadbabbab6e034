package dev.litestack.todo.web;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a websocket's TCP connection cleanly, as RFC 6455 (7.1.1) describes: once the server's close frame is
 * written, the server shuts down its sending side (FIN), reads and discards whatever the client still sends until
 * the client closes its side, and only then closes the socket; {@link #LINGER} after the close began it is closed
 * anyway. Plain HTTP connections close as before.
 *
 * <p>Why: the server closes sockets whose client is still sending, e.g. a frame over 1 KiB is refused with 1009 at
 * its header while the rest of it is on the way. A socket closed with unread input is answered by the kernel with a
 * reset (RST) instead of a FIN; the client's next write then fails and its connection is torn down before it has read
 * the close frame that was already on the wire, so a browser reports 1006 (abnormal closure) instead of the code.
 */
@Singleton
final class LingeringClose implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    /** How long a closing websocket waits for the client to close its side (the close frame needs one trip). */
    static final Duration LINGER = Duration.ofSeconds(2);

    private static final String NAME = "todo-lingering-close";

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(ConnectionHandlerInstaller.of(NAME, Handler::new));
        return event.getBean();
    }

    /** One connection: a close of an upgraded (websocket) connection becomes a lingering close. */
    static final class Handler extends ChannelDuplexHandler {
        private boolean lingering;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            Channel channel = ctx.channel();
            if (lingering) {
                channel.closeFuture().addListener(closed -> promise.trySuccess());
                return;
            }
            if (!(channel instanceof DuplexChannel duplex)
                    || !channel.isActive()
                    || duplex.isInputShutdown()
                    || duplex.isOutputShutdown()
                    || ctx.pipeline().get(WebSocketFrameDecoder.class) == null) {
                ctx.close(promise);
                return;
            }
            lingering = true;
            ScheduledFuture<?> deadline =
                    ctx.executor().schedule((Runnable) ctx::close, LINGER.toMillis(), TimeUnit.MILLISECONDS);
            channel.closeFuture().addListener(closed -> {
                deadline.cancel(false);
                promise.trySuccess();
            });
            channel.config().setAutoRead(true);
            // Everything written before the close (the close frame) goes out first, then the FIN.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                if (written.isSuccess()) {
                    duplex.shutdownOutput();
                } else {
                    ctx.close();
                }
            });
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (lingering) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!lingering) {
                ctx.fireChannelReadComplete();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (lingering && event instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (lingering) {
                ctx.close();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }
    }
}
