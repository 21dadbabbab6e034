package dev.litestack.todo.todos;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cable.Subscription;
import dev.litestack.todo.web.Sessions;
import io.micronaut.http.HttpRequest;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import jakarta.inject.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * {@code /cable/<signed stream name>}: the websocket of {@code <turbo-stream-source>}. The handshake must come from
 * the app's own Origin with a valid session cookie, and the stream name must be that cookie's own; otherwise the
 * socket is closed with 1008 (policy violation). An accepted socket is subscribed to the user's cable channel and
 * first receives a snapshot of the whole list, so a tab that (re)connects catches up on anything it missed.
 * Clients have nothing to send: any frame closes the socket with 1003.
 */
@ServerWebSocket("/cable/{stream}")
public class CableSocket {

    private static final Logger LOG = LoggerFactory.getLogger(CableSocket.class);
    private static final String CONNECTION = "todo.connection";

    private final Sessions sessions;
    private final Cable cable;
    private final TodoService todos;
    private final TodoStreams streams;
    private final ExecutorService blocking;

    public CableSocket(Sessions sessions, Cable cable, TodoService todos, TodoStreams streams,
                       @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.sessions = sessions;
        this.cable = cable;
        this.todos = todos;
        this.streams = streams;
        this.blocking = blocking;
    }

    @OnOpen
    public void open(String stream, WebSocketSession session, HttpRequest<?> request) {
        if (!sessions.originAllowed(request, true)) {
            session.close(CloseReason.POLICY_VIOLATION);
            return;
        }
        String user = sessions.user(request).orElse(null);
        if (user == null || !sessions.validStreamName(user, stream)) {
            session.close(CloseReason.POLICY_VIOLATION);
            return;
        }
        Connection connection = new Connection(session);
        connection.subscription = cable.subscribe(TodoStreams.channel(user), connection::deliver);
        session.put(CONNECTION, connection);
        if (!session.isOpen()) {
            connection.stop();
            return;
        }
        blocking.execute(() -> {
            try {
                connection.start(streams.snapshot(user, todos.snapshot(user)));
            } catch (RuntimeException e) {
                LOG.error("cannot send the snapshot to a new live connection", e);
                session.close(CloseReason.INTERNAL_ERROR);
            }
        });
    }

    @OnMessage(maxPayloadLength = 1024)
    public void message(String text, WebSocketSession session) {
        session.close(CloseReason.UNSUPPORTED_DATA);
    }

    @OnError
    public void error(Throwable error, WebSocketSession session) {
        LOG.debug("live connection error: {}", error.toString());
        if (session.isOpen()) {
            session.close(CloseReason.UNSUPPORTED_DATA);
        }
    }

    @OnClose
    public void close(WebSocketSession session) {
        session.get(CONNECTION, Connection.class).ifPresent(Connection::stop);
    }

    /**
     * One open socket. Messages published before the snapshot was sent are held back and sent after it, so the tab
     * sees the snapshot first and every later change after it, in publish order.
     */
    static final class Connection {
        private final WebSocketSession session;
        private List<String> pending = new ArrayList<>();
        private volatile Subscription subscription;

        Connection(WebSocketSession session) {
            this.session = session;
        }

        synchronized void deliver(String message) {
            if (pending != null) {
                pending.add(message);
            } else if (session.isOpen()) {
                session.sendAsync(message);
            }
        }

        synchronized void start(String snapshot) {
            if (!session.isOpen()) {
                return;
            }
            session.sendAsync(snapshot);
            for (String message : pending) {
                session.sendAsync(message);
            }
            pending = null;
        }

        void stop() {
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
        }
    }
}
