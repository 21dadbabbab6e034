package dev.litestack.todo.todos;

import dev.litestack.todo.cable.Subscription;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.exceptions.WebSocketSessionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One open live socket of a user. Messages published before its snapshot was sent are held back and sent after it,
 * so the tab sees the snapshot first and every later change after it, in publish order. Text waiting to be written
 * (held back, or handed to the socket and not yet on the wire) is counted against the socket's cap and the
 * process's; a socket over either (a client that does not read) is closed with 1013, and its tab reconnects and
 * catches up from a fresh snapshot.
 */
final class LiveConnection {

    /** The queued-text caps: {@code total} is shared by every socket of the process. */
    record Caps(long perSocket, AtomicLong total, long maxTotal) {}

    final String user;
    private final WebSocketSession session;
    private final Caps caps;
    private final AtomicBoolean closing = new AtomicBoolean();
    private List<String> held = new ArrayList<>();
    private long heldBytes;
    private long queued;
    private volatile Subscription subscription;

    LiveConnection(String user, WebSocketSession session, Caps caps) {
        this.user = user;
        this.session = session;
        this.caps = caps;
    }

    void subscribed(Subscription subscription) {
        this.subscription = subscription;
    }

    boolean isOpen() {
        return !closing.get() && session.isOpen();
    }

    /** A published change: held back until the snapshot was sent, then sent in order. */
    synchronized void deliver(String message) {
        if (!isOpen()) {
            return;
        }
        long n = utf8Length(message);
        if (held != null) {
            if (reserve(n)) {
                held.add(message);
                heldBytes += n;
            }
        } else if (reserve(n)) {
            send(message, n);
        }
    }

    /**
     * Sends the heartbeat, an empty message (Turbo renders it as nothing; the page takes it as a sign of life), unless
     * the socket still waits for its snapshot or has text waiting to be written: then that text is the sign of life,
     * or, if it never gets through, its tab reconnects, and nothing piles up behind it.
     */
    synchronized void heartbeat() {
        if (isOpen() && held == null && queued == 0) {
            send("", 0);
        }
    }

    /** Sends the snapshot, then what was held back meanwhile. */
    synchronized void start(String snapshot) {
        if (!isOpen() || held == null) {
            return;
        }
        long n = utf8Length(snapshot);
        if (reserve(n)) {
            send(snapshot, n);
            for (String message : held) {
                send(message, utf8Length(message));
            }
            held = null;
            heldBytes = 0;
        }
    }

    /** Counts {@code message} as queued, or closes the socket with 1013 if that would pass a cap. */
    private boolean reserve(long n) {
        if (queued + n > caps.perSocket() || caps.total().addAndGet(n) > caps.maxTotal()) {
            if (queued + n <= caps.perSocket()) {
                caps.total().addAndGet(-n);
            }
            close(CloseReason.TRY_AGAIN_LATER);
            return false;
        }
        queued += n;
        return true;
    }

    private synchronized void written(long n) {
        queued -= n;
        caps.total().addAndGet(-n);
    }

    /** Hands a reserved message to the socket; its reservation ends when it is written (or the socket is gone). */
    private void send(String message, long n) {
        try {
            session.sendAsync(message).whenComplete((sent, failure) -> written(n));
        } catch (WebSocketSessionException e) {
            written(n);
        }
    }

    /** Closes the socket with {@code reason} (once; later calls and the client's own close do nothing more). */
    void close(CloseReason reason) {
        if (closing.compareAndSet(false, true)) {
            stop();
            if (session.isOpen()) {
                session.close(reason);
            }
        }
    }

    /** Whether the server started closing this socket (so a close from the client is not to be echoed). */
    boolean closedByServer() {
        return closing.get();
    }

    /** Unsubscribes and forgets held messages; the socket itself is closed by whoever called. */
    synchronized void stop() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        if (held != null) {
            queued -= heldBytes;
            caps.total().addAndGet(-heldBytes);
            held = new ArrayList<>();
            heldBytes = 0;
        }
    }

    /** The bytes of {@code text} in UTF-8 (what it takes in a frame). */
    static long utf8Length(String text) {
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
