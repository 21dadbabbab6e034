package dev.litestack.todo.web;

import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.socket.DuplexChannel;
import java.util.function.Supplier;

/**
 * Adds a handler of ours at the head of every TCP connection's pipeline, nearest the socket, where what is written
 * is the encoded bytes and a close is the socket's. Register it with Micronaut's {@link NettyServerCustomizer.Registry}.
 *
 * @param name       the handler's name in the pipeline
 * @param handler    makes one handler per connection
 * @param connection the connection this copy was specialized for, or null for the registered one
 */
record ConnectionHandlerInstaller(String name, Supplier<ChannelHandler> handler, Channel connection)
        implements NettyServerCustomizer {

    static ConnectionHandlerInstaller of(String name, Supplier<ChannelHandler> handler) {
        return new ConnectionHandlerInstaller(name, handler, null);
    }

    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        return role == ChannelRole.CONNECTION && channel instanceof DuplexChannel
                ? new ConnectionHandlerInstaller(name, handler, channel)
                : this;
    }

    @Override
    public void onInitialPipelineBuilt() {
        if (connection != null) {
            connection.pipeline().addFirst(name, handler.get());
        }
    }
}
