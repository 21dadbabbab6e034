package dev.litestack.todo.todos;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.web.Sessions;
import io.micronaut.http.HttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /cable/<signed stream name>}: the websocket of {@code <turbo-stream-source>}. The handshake must come from
 * the app's own Origin with a valid session cookie, and the stream name must be that cookie's own; otherwise the
 * socket is closed with 1008 (policy violation). A user has at most {@code app.live.max-sockets-per-user} open
 * sockets, a client address at most {@code app.live.max-sockets-per-address} and the process at most
 * {@code app.live.max-sockets}; one more is closed with 1013 (try again later). An
 * accepted socket is subscribed to the user's cable channel and then receives a snapshot of the whole list
 * ({@link LiveSnapshots}), so a tab that (re)connects
 * catches up on anything it missed. Every {@code app.live.heartbeat-interval} each open socket gets a heartbeat (an
 * empty message; {@link LiveConnection#heartbeat}).
 *
 * <p>Clients have nothing to send. Frames are taken one by one (never aggregated into a message): a whole frame
 * closes the socket with 1003, the first frame of a fragmented message (or a stray continuation) with 1009, so a
 * message that never ends buffers nothing; frames over 1 KiB are refused by the decoder (1009). A close from the
 * client is answered with its own code.
 */
@ServerWebSocket("/cable/{stream}")
class CableSocket {

    private static final Logger LOG = LoggerFactory.getLogger(CableSocket.class);
    private static final String CONNECTION = "todo.connection";
    private static final String REFUSED = "todo.refused";
    private static final String ADDRESS = "todo.address";

    private final Sessions sessions;
    private final Cable cable;
    private final LiveSnapshots snapshots;
    private final LiveProperties settings;
    private final LiveConnection.Caps caps;
    private final Map<String, Integer> socketsPerUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> socketsPerAddress = new ConcurrentHashMap<>();
    private final AtomicInteger sockets = new AtomicInteger();
    private final Set<LiveConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public CableSocket(Sessions sessions, Cable cable, LiveSnapshots snapshots, LiveProperties settings) {
        this.sessions = sessions;
        this.cable = cable;
        this.snapshots = snapshots;
        this.settings = settings;
        this.caps = new LiveConnection.Caps(
                settings.maxQueuedBytesPerSocket(), new AtomicLong(), settings.maxQueuedBytes());
        long every = settings.heartbeatInterval().toNanos();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.NANOSECONDS);
    }

    /** A heartbeat on every open socket (a few bytes each), so that tabs notice a connection that died unsaid. */
    private void heartbeat() {
        for (LiveConnection connection : connections) {
            try {
                connection.heartbeat();
            } catch (RuntimeException e) {
                LOG.debug("live heartbeat failed: {}", e.toString());
            }
        }
    }

    @PreDestroy
    void stop() {
        heartbeats.shutdownNow();
    }

    @OnOpen
    public void open(String stream, WebSocketSession session, HttpRequest<?> request) {
        if (!sessions.originAllowed(request, true)) {
            refuse(session, CloseReason.POLICY_VIOLATION);
            return;
        }
        String user = sessions.user(request).orElse(null);
        if (user == null || !sessions.validStreamName(user, stream)) {
            refuse(session, CloseReason.POLICY_VIOLATION);
            return;
        }
        String address = sessions.clientAddress(request);
        if (!admit(user, address)) {
            refuse(session, CloseReason.TRY_AGAIN_LATER);
            return;
        }
        session.put(ADDRESS, address);
        LiveConnection connection = new LiveConnection(user, session, caps);
        session.put(CONNECTION, connection);
        connections.add(connection);
        connection.subscribed(cable.subscribe(TodoStreams.channel(user), connection::deliver));
        if (!session.isOpen()) {
            connection.stop();
            connections.remove(connection);
            return;
        }
        snapshots.request(connection);
    }

    /**
     * Counts a new socket of {@code user} from {@code address}, unless the user, the address or the process already
     * has the most allowed.
     */
    private boolean admit(String user, String address) {
        if (sockets.incrementAndGet() > settings.maxSockets()) {
            sockets.decrementAndGet();
            return false;
        }
        if (!take(socketsPerAddress, address, settings.maxSocketsPerAddress())) {
            sockets.decrementAndGet();
            return false;
        }
        if (!take(socketsPerUser, user, settings.maxSocketsPerUser())) {
            giveBack(socketsPerAddress, address);
            sockets.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts one more for {@code key} unless it has {@code max} already. */
    private static boolean take(Map<String, Integer> counts, String key, int max) {
        boolean[] taken = {false};
        counts.compute(key, (k, n) -> {
            int open = n == null ? 0 : n;
            taken[0] = open < max;
            return taken[0] ? open + 1 : n;
        });
        return taken[0];
    }

    /** Counts one less for {@code key}. */
    private static void giveBack(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    private void release(String user, String address) {
        giveBack(socketsPerUser, user);
        if (address != null) {
            giveBack(socketsPerAddress, address);
        }
        sockets.decrementAndGet();
    }

    private static void refuse(WebSocketSession session, CloseReason reason) {
        session.put(REFUSED, Boolean.TRUE);
        session.close(reason);
    }

    @OnMessage(maxPayloadLength = 1024)
    public void message(WebSocketFrame frame, WebSocketSession session) {
        try {
            boolean fragment = !frame.isFinalFragment() || frame instanceof ContinuationWebSocketFrame;
            // reserved bits set with no extension negotiated fail the connection (RFC 6455, 5.2)
            closeFromServer(
                    session,
                    frame.rsv() != 0
                            ? CloseReason.PROTOCOL_ERROR
                            : fragment ? CloseReason.MESSAGE_TO_BIG : CloseReason.UNSUPPORTED_DATA);
        } finally {
            frame.release();
        }
    }

    @OnError
    public void error(Throwable error, WebSocketSession session) {
        LOG.debug("live connection error: {}", error.toString());
        closeFromServer(session, CloseReason.UNSUPPORTED_DATA);
    }

    private static void closeFromServer(WebSocketSession session, CloseReason reason) {
        LiveConnection connection =
                session.get(CONNECTION, LiveConnection.class).orElse(null);
        if (connection != null) {
            connection.close(reason);
        } else if (session.isOpen()) {
            refuse(session, reason);
        }
    }

    @OnClose
    public void close(CloseReason reason, WebSocketSession session) {
        LiveConnection connection =
                session.get(CONNECTION, LiveConnection.class).orElse(null);
        boolean serverClosed =
                session.get(REFUSED, Boolean.class).orElse(false) || connection != null && connection.closedByServer();
        if (connection != null) {
            connection.stop();
            connections.remove(connection);
            release(connection.user, session.get(ADDRESS, String.class).orElse(null));
        }
        if (!serverClosed && session.isOpen()) {
            int code = reason.getCode();
            if (code > 4999) {
                // no code above 4999 is defined (RFC 6455, 7.4.2); Netty lets them through, the lower invalid ones not
                session.close(CloseReason.PROTOCOL_ERROR);
                return;
            }
            boolean sendable = code >= 1000 && code != 1005 && code != 1006 && code != 1015;
            session.close(sendable ? new CloseReason(code, "") : CloseReason.NORMAL);
        }
    }

    /** Open sockets of {@code user} in this process (for tests). */
    int openSockets(String user) {
        return socketsPerUser.getOrDefault(user, 0);
    }
}
