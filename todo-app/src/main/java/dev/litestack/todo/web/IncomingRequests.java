package dev.litestack.todo.web;

import dev.litestack.todo.logging.QuietLog;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.server.netty.websocket.NettyServerWebSocketUpgradeHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what clients can make the process hold in requests they have not finished sending, and answers the
 * malformed ones Netty lets through with the status HTTP defines for them.
 *
 * <p>A request is incomplete from the first byte of it until its last (the end of its body). Each incomplete request
 * holds a decoder's buffer (request line, headers up to {@code micronaut.server.netty.max-header-size}, a body up to
 * {@code max-request-size}: tens of KiB in the worst case). A client that sends a request a byte at a time, or
 * opens thousands of connections and never finishes their first request (slowloris), would otherwise make the process
 * hold that much per connection for as long as it likes: measured, 3,000 such connections grew the app by 67 MiB.
 * So: a request still incomplete after {@code app.web.request-read-timeout} is answered 408 and its connection
 * closed, and when more than {@code app.web.max-incomplete-requests} are incomplete at once, the connection whose
 * request has been incomplete the longest is closed (a browser sends a whole form in milliseconds; the oldest is the
 * slowest sender). Connections between requests and websockets are not affected.
 *
 * <p>Connections cost the process too, before they send anything (~4 KiB of heap each when idle, ~8 KiB while a
 * websocket handshake waits to be answered): a client that opened connections as fast as it could, or a storm of
 * handshakes, held as many as the process had file descriptors (20,000 here) and once ran a 192 MiB heap out of
 * memory. So at most {@code app.web.max-connections} are open: one more closes the connection idle the longest (no
 * request arriving or being answered, not a websocket, and so for at least a second), or, if none is, the new one
 * before it is read.
 *
 * <p>And, before the application sees them, the requests HTTP says to refuse are answered ({@link Refusal}), and so
 * is a chunk Netty could not parse (400: Netty would end the body there).
 *
 * <p>On a connection upgraded to a websocket the same handler sits between the frame decoder and Micronaut's
 * websocket handler, which answers every ping with a pong at once, whether or not the client reads: a client that
 * sends pings and never reads made the process queue a pong per ping (a few bytes on the wire, ~400 bytes of heap
 * each) until the heap ran out (measured: 17 MiB of empty pings). Here a ping that arrives while the pong of an
 * earlier one is still unsent is dropped (RFC 6455, 5.5.3: an endpoint may answer only some of several pings), so a
 * socket holds at most one pong. A client that sends anything after its handshake request before the answer (frames,
 * or bytes that are not HTTP) has its connection closed. And websockets are not compressed: Micronaut offers permessage-deflate on every
 * connection, which costs each socket a deflater and an inflater (~100 KB of native memory, measured 5,000 sockets
 * at +630 MiB) for messages that are small and already cheap.
 */
@Singleton
final class IncomingRequests implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRequests.class);
    private static final String BYTES = "todo-incoming-bytes";
    private static final String REQUESTS = "todo-incoming-requests";
    private static final String ADMISSION = "todo-admission";
    /** How long a connection must have been idle to be closed for a new one (its next request may be on its way). */
    private static final long MIN_IDLE_MILLIS = 1000;
    /**
     * Connections admitted past the cap while the idle ones closed for them are still closing; past this many more, a
     * new connection is refused whatever is idle, so the cap holds within it even if closings keep failing.
     */
    private static final int CLOSING_MARGIN = 64;

    private final Duration timeout;
    private final int maxIncomplete;
    private final long maxRequestSize;
    private final int maxConnections;
    /**
     * Requests a connection may send ahead of the answer it is waiting for (HTTP/1.1 pipelining): they are held, not
     * handed to the application, and the connection is not read meanwhile; one more closes the connection.
     */
    static final int MAX_HELD_PER_CONNECTION = 16;

    private final Set<Connection> incomplete = ConcurrentHashMap.newKeySet();
    /** Requests held on all connections together (at most {@code app.web.max-incomplete-requests}). */
    private final AtomicInteger held = new AtomicInteger();

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openCount = new AtomicInteger();
    private final Clock clock;
    private final QuietLog quiet;

    @Inject
    IncomingRequests(WebProperties settings, HttpServerConfiguration server, Clock clock) {
        this(
                settings.requestReadTimeout(),
                settings.maxIncompleteRequests(),
                settings.maxConnections(),
                server.getMaxRequestSize(),
                clock);
    }

    IncomingRequests(Duration timeout, int maxIncomplete, int maxConnections, long maxRequestSize, Clock clock) {
        this.timeout = timeout;
        this.maxIncomplete = maxIncomplete;
        this.maxConnections = maxConnections;
        this.maxRequestSize = maxRequestSize;
        this.clock = clock;
        this.quiet = new QuietLog(LOG, clock, Duration.ofMinutes(1), 5);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Installer(null));
        return event.getBean();
    }

    /** Requests begun and not yet fully received, all connections together. */
    int incompleteRequests() {
        return incomplete.size();
    }

    /** Pipelined requests held until the answer before them is sent, all connections together. */
    int heldRequests() {
        return held.get();
    }

    /** Connections admitted and not yet closed. */
    int openConnections() {
        return openCount.get();
    }

    /** A new connection's state; its two handlers go nearest the socket and right after the HTTP codec. */
    Connection newConnection() {
        return new Connection();
    }

    /** Puts a connection's two handlers in its pipeline: one nearest the socket, one after the HTTP decoder. */
    private final class Installer implements NettyServerCustomizer {
        private final Channel channel;
        private final Connection connection;

        Installer(Channel channel) {
            this.channel = channel;
            this.connection = channel == null ? null : new Connection();
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel ch, ChannelRole role) {
            if (role == ChannelRole.LISTENER && ch instanceof ServerChannel) {
                // called while the listener's pipeline is built, before Netty adds the handler that registers what
                // it accepts: this one sees each connection first
                ch.pipeline().addLast(ADMISSION, new Admission());
            }
            return role == ChannelRole.CONNECTION && ch instanceof DuplexChannel ? new Installer(ch) : this;
        }

        @Override
        public void onInitialPipelineBuilt() {
            if (channel != null) {
                channel.pipeline().addFirst(BYTES, connection.bytes);
            }
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (channel == null) {
                return;
            }
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyServerWebSocketUpgradeHandler.COMPRESSION_HANDLER) != null) {
                pipeline.remove(NettyServerWebSocketUpgradeHandler.COMPRESSION_HANDLER);
            }
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
                    && pipeline.get(REQUESTS) == null) {
                pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, REQUESTS, connection.requests);
            }
        }
    }

    /** On the listener: counts each accepted connection, or closes it (see {@link #admit}). */
    private final class Admission extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child && !admit(child)) {
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Counts a connection just accepted, before it is registered with its event loop or read. One more than
     * {@code app.web.max-connections} closes the connection idle the longest (no request arriving, none being
     * answered, not a websocket), or, with none idle, this one, at once: false, and it must not be used. Counting at
     * the accept, not when the connection's pipeline is built, bounds the connections waiting for a busy event loop
     * too (a storm of handshakes queued 19,000 of them there).
     */
    boolean admit(Channel child) {
        int count = openCount.incrementAndGet();
        if (count > maxConnections && (count > maxConnections + CLOSING_MARGIN || !makeRoom())) {
            openCount.decrementAndGet();
            quiet.warn(
                    "connections",
                    "more than app.web.max-connections (" + maxConnections
                            + ") connections were open and none was idle; refused a new one (" + child.remoteAddress()
                            + ")");
            child.unsafe().closeForcibly();
            return false;
        }
        child.closeFuture().addListener(closed -> openCount.decrementAndGet());
        return true;
    }

    /**
     * Has the connection idle the longest closed, if one has been idle for {@link #MIN_IDLE_MILLIS} and no other new
     * connection has claimed it.
     */
    private boolean makeRoom() {
        Connection victim = null;
        long idleBefore = clock.millis() - MIN_IDLE_MILLIS;
        for (Connection c : open) {
            if (c.idle
                    && !c.evicted
                    && c.idleSince <= idleBefore
                    && (victim == null || c.idleSince < victim.idleSince)) {
                victim = c;
            }
        }
        if (victim == null || !victim.evict()) {
            return false;
        }
        quiet.warn(
                "connections",
                "more than app.web.max-connections (" + maxConnections
                        + ") connections were open; closed the one idle the longest (" + victim.channel.remoteAddress()
                        + ")");
        victim.channel.eventLoop().execute(victim::closeIfIdle);
        return true;
    }

    /** Closes the connection whose request has been incomplete the longest. */
    private void shed() {
        // until under the cap: two event loops over it at once may pick the same oldest, and the one that loses it
        // must take the next (it used to stop there, leaving one more than the cap)
        while (incomplete.size() > maxIncomplete) {
            Connection oldest = incomplete.stream()
                    .min(Comparator.comparingLong(c -> c.startedAt))
                    .orElse(null);
            if (oldest == null) {
                return;
            }
            if (!incomplete.remove(oldest)) {
                continue; // another thread is closing it
            }
            quiet.warn(
                    "incomplete requests",
                    "more than app.web.max-incomplete-requests (" + maxIncomplete
                            + ") requests were being received at once; closed the connection whose request was "
                            + "incomplete the longest (" + oldest.channel.remoteAddress() + ")");
            oldest.channel.eventLoop().execute(oldest::giveUp);
        }
    }

    /**
     * One connection. Everything but {@link #startedAt} and {@link #channel} is touched on its event loop only.
     */
    final class Connection {
        final Bytes bytes = new Bytes();
        final Requests requests = new Requests();
        private volatile Channel channel;
        /** {@link System#nanoTime()} when the request being received began. */
        private volatile long startedAt;

        private boolean receiving;
        /** Requests read whose response has not been written in full (answering a 408 would cut into one). */
        private int answering;
        /** A request was refused here: what else arrives on the connection is dropped until it closes. */
        private boolean refused;

        private boolean websocket;

        /**
         * Neither receiving a request nor answering one, and not a websocket (written on the event loop, read by
         * {@link #makeRoom} on the acceptor's): may be closed to make room for a new connection.
         */
        private volatile boolean idle = true;
        /** {@link Clock#millis()} when the connection last became idle. */
        private volatile long idleSince = clock.millis();
        /** Chosen by {@link #makeRoom} to be closed (so that one idle connection makes room for one newcomer only). */
        private volatile boolean evicted;

        /** In {@link #incomplete}, with a deadline: the request did not arrive whole in the read that began it. */
        private boolean listed;

        private ScheduledFuture<?> deadline;

        /** The first bytes of a request arrived. */
        private void begin() {
            receiving = true;
            idle = false;
            startedAt = System.nanoTime();
        }

        /** A request was received or a response sent in full: idle again if nothing else is under way. */
        private void maybeIdle() {
            if (!receiving && answering == 0 && !websocket && !idle) {
                idleSince = clock.millis();
                idle = true;
            }
        }

        /** Never idle from here on: a websocket's own rules bound it ({@code app.live.*}). */
        private void becameWebsocket() {
            websocket = true;
            idle = false;
        }

        /** Claims this connection for closing; false if another newcomer already did. */
        private synchronized boolean evict() {
            if (evicted) {
                return false;
            }
            evicted = true;
            return true;
        }

        /**
         * On the event loop: closes the connection if it is still idle; if it began a request since, another idle one
         * is closed instead (if there is none, the new connection stays, within {@link #CLOSING_MARGIN}).
         */
        private void closeIfIdle() {
            if (idle && channel.isActive()) {
                refused = true;
                channel.close();
            } else {
                evicted = false;
                makeRoom();
            }
        }

        /**
         * The read that began a request has been handled and the request is not whole yet: it counts and gets a
         * deadline. Most requests arrive in one read and never get here, so they cost no timer.
         */
        private void list(ChannelHandlerContext ctx) {
            listed = true;
            long left = timeout.toNanos() - (System.nanoTime() - startedAt);
            deadline = ctx.executor().schedule(this::timedOut, left, TimeUnit.NANOSECONDS);
            incomplete.add(this);
            if (incomplete.size() > maxIncomplete) {
                shed();
            }
        }

        private void end() {
            receiving = false;
            if (listed) {
                listed = false;
                incomplete.remove(this);
                deadline.cancel(false);
                deadline = null;
            }
            maybeIdle();
        }

        private void timedOut() {
            if (receiving) {
                quiet.warn(
                        "request read timeout",
                        "a request was not received in full within app.web.request-read-timeout (" + timeout
                                + "); closed the connection (" + channel.remoteAddress() + ")");
                giveUp();
            }
        }

        /** Stops reading this connection: a 408 if no response is under way (one would be cut), then the close. */
        private void giveUp() {
            if (!receiving || !channel.isActive()) {
                return; // finished or closed in the meantime
            }
            stop(answering == 0 ? Refusal.TIMEOUT : null);
        }

        /** Drops what else arrives and closes the connection, after answering {@code refusal} if not null. */
        private void stop(Refusal refusal) {
            end();
            refused = true;
            if (refusal != null) {
                refusal.send(requests.context);
            } else {
                channel.close();
            }
        }

        /** Nearest the socket: the first byte of a request starts its clock. */
        final class Bytes extends ChannelInboundHandlerAdapter {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                channel = ctx.channel();
                open.add(Connection.this);
                ctx.channel().closeFuture().addListener(closed -> {
                    end();
                    idle = false;
                    open.remove(Connection.this);
                });
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (refused) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                ByteBuf bytes = msg instanceof ByteBuf b ? b : null;
                boolean inRequest = receiving;
                // without the handler after the HTTP decoder no request's end would be seen: nothing is timed
                boolean tracked = requests.context != null;
                if (!receiving && tracked && bytes != null && bytes.isReadable() && !websocket(ctx)) {
                    begin();
                    inRequest = true;
                }
                ctx.fireChannelRead(msg);
                if (!receiving && inRequest && !refused && bytes != null && bytes.refCnt() > 0 && bytes.isReadable()) {
                    // a request ended in this read and the decoder kept what followed it (it keeps a read's
                    // buffer only while bytes of it are left undecoded): the start of the next request
                    begin();
                }
                if (receiving && !listed && !refused) {
                    list(ctx);
                }
            }

            /** Whether the connection has become a websocket (its frames are bounded by the socket's own rules). */
            private boolean websocket(ChannelHandlerContext ctx) {
                if (!websocket && ctx.pipeline().get(WebSocketFrameDecoder.class) != null) {
                    becameWebsocket();
                }
                return websocket;
            }
        }

        /** After the HTTP decoder: sees each request's head and its end; refuses what HTTP says to refuse. */
        final class Requests extends ChannelDuplexHandler {
            private ChannelHandlerContext context;
            /** A pong is written and not yet on the socket (websockets; event loop only). */
            private boolean pongUnsent;
            /** Requests, and parts of their bodies, received while an earlier answer is unsent (see {@link #hold}). */
            private final java.util.ArrayDeque<Object> waiting = new java.util.ArrayDeque<>();
            /** Requests in {@link #waiting}. */
            private int heldHere;
            /** Reading is stopped while requests are held; whether it was automatic before, and asked for since. */
            private boolean paused;

            private boolean autoReadBefore;
            private boolean readWanted;
            /** Too many requests were sent ahead: the connection closes once the answer under way is on the socket. */
            private boolean closeAfterAnswer;

            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                context = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (refused || msg instanceof PingWebSocketFrame && pongUnsent) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof ByteBuf) {
                    // bytes the HTTP decoder still held when a websocket handshake took it out of the pipeline: sent
                    // after the handshake request and before its answer, which a client must not do (RFC 6455, 4.1).
                    // Micronaut's handler after this one takes HTTP messages only: it failed on them with an error
                    // logged and never released them (a buffer lost per connection, any client, no session needed)
                    ReferenceCountUtil.release(msg);
                    stop(null);
                    return;
                }
                if (msg instanceof HttpRequest request) {
                    Refusal problem = Refusal.of(request, maxRequestSize);
                    if (problem != null) {
                        ReferenceCountUtil.release(msg);
                        stop(problem);
                        return;
                    }
                    if (!receiving) {
                        begin(); // a request after one that ended in the same read: its body may be to come
                    }
                }
                if (msg instanceof HttpContent content
                        && content.decoderResult().isFailure()) {
                    // a chunk Netty could not parse (its size, an extension over the line limit): Netty ends the body
                    // there and the application would read what came before as the whole of it
                    ReferenceCountUtil.release(msg);
                    stop(new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed chunked body"));
                    return;
                }
                if (msg instanceof LastHttpContent) {
                    end();
                } else if (!(msg instanceof HttpContent) && !(msg instanceof HttpRequest)) {
                    end(); // not HTTP any more (an upgrade): no request is being received
                }
                if (!waiting.isEmpty() || msg instanceof HttpRequest && answering > 0) {
                    hold(ctx, msg);
                    return;
                }
                pass(ctx, msg);
            }

            /** Hands a message to the application; a request is then being answered. */
            private void pass(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    answering++;
                }
                ctx.fireChannelRead(msg);
            }

            /**
             * Holds a request (or a part of its body) that arrived while the answer to an earlier one is not yet sent,
             * and stops reading the connection. Micronaut would start every pipelined request at once, each holding
             * its request and answer in the heap until the client read the ones before: 30 connections that each sent
             * 2,000 requests for a script and read nothing ran the 192 MiB heap out of memory for good. Past
             * {@link #MAX_HELD_PER_CONNECTION} requests on the connection, or {@code app.web.max-incomplete-requests}
             * on all of them, the connection is closed.
             */
            private void hold(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    if (heldHere >= MAX_HELD_PER_CONNECTION || held.incrementAndGet() > maxIncomplete) {
                        if (heldHere < MAX_HELD_PER_CONNECTION) {
                            held.decrementAndGet();
                        }
                        ReferenceCountUtil.release(msg);
                        quiet.warn(
                                "pipelined requests",
                                "a connection sent more than " + MAX_HELD_PER_CONNECTION + " requests ahead of the"
                                        + " answers it had not read (or more than app.web.max-incomplete-requests ("
                                        + maxIncomplete + ") were held in all); closed it (" + channel.remoteAddress()
                                        + ")");
                        dropHeld();
                        // what else arrives is dropped, and the connection is closed once the answer under way is sent:
                        // closing it in the middle of that answer made Micronaut log a stack trace per connection
                        end();
                        refused = true;
                        closeAfterAnswer = true;
                        return;
                    }
                    heldHere++;
                }
                waiting.add(msg);
                if (!paused) {
                    paused = true;
                    autoReadBefore = ctx.channel().config().isAutoRead();
                    ctx.channel().config().setAutoRead(false);
                }
            }

            @Override
            public void read(ChannelHandlerContext ctx) {
                if (paused) {
                    readWanted = true; // the application asks for more: given once the held requests are passed on
                    return;
                }
                ctx.read();
            }

            /** The answer before the held requests is on the socket: hands them on, one request at a time. */
            private void answered(ChannelHandlerContext ctx) {
                boolean passed = false;
                while (!waiting.isEmpty() && !refused) {
                    Object next = waiting.peek();
                    if (next instanceof HttpRequest && answering > 0) {
                        break; // held until this one is answered too
                    }
                    waiting.poll();
                    if (next instanceof HttpRequest) {
                        heldHere--;
                        held.decrementAndGet();
                    }
                    pass(ctx, next);
                    passed = true;
                }
                if (passed) {
                    ctx.fireChannelReadComplete(); // Micronaut acts on what it was given at the end of a read
                }
                if (waiting.isEmpty() && paused && ctx.channel().isActive()) {
                    paused = false;
                    if (autoReadBefore) {
                        ctx.channel().config().setAutoRead(true);
                    } else if (readWanted) {
                        readWanted = false;
                        ctx.read();
                    }
                }
            }

            /** Releases what is held (the connection is closing). */
            private void dropHeld() {
                Object msg;
                while ((msg = waiting.poll()) != null) {
                    ReferenceCountUtil.release(msg);
                }
                held.addAndGet(-heldHere);
                heldHere = 0;
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                dropHeld();
                ctx.fireChannelInactive();
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                HttpResponseStatus status = msg instanceof HttpResponse r ? r.status() : null;
                boolean upgrade = status != null && status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
                if (upgrade) {
                    becameWebsocket();
                }
                boolean informational =
                        status != null && status.codeClass() == HttpStatusClass.INFORMATIONAL && !upgrade;
                if (msg instanceof LastHttpContent && answering > 0 && !informational) {
                    // (a 100 Continue is whole in itself, but the answer to its request is still to come)
                    answering--;
                    if (answering == 0) {
                        // idle once the response is on the socket, not while it waits for a slow reader; the next
                        // pipelined request goes to the application then too
                        ChannelPromise sent = promise.unvoid();
                        sent.addListener(f -> {
                            if (closeAfterAnswer) {
                                ctx.close();
                                return;
                            }
                            answered(ctx);
                            maybeIdle();
                        });
                        ctx.write(msg, sent);
                        return;
                    }
                }
                if (msg instanceof PongWebSocketFrame) {
                    pongUnsent = true;
                    ChannelPromise sent = promise.unvoid();
                    sent.addListener(f -> pongUnsent = false); // on the socket, or the connection is gone
                    ctx.write(msg, sent);
                    return;
                }
                ctx.write(msg, promise);
            }
        }
    }
}
