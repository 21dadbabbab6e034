package dev.litestack.todo.todos;

import dev.litestack.todo.cable.Subscription;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.exceptions.WebSocketSessionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /**
     * The queued-text caps: {@code total} is shared by every socket of the process, and so is {@code open}, the
     * sockets that count against it.
     */
    record Caps(long perSocket, AtomicLong total, long maxTotal, Set<LiveConnection> open) {
        Caps(long perSocket, AtomicLong total, long maxTotal) {
            this(perSocket, total, maxTotal, ConcurrentHashMap.newKeySet());
        }

        /** The open socket with the most text waiting, or null. */
        LiveConnection largestBacklog() {
            LiveConnection largest = null;
            for (LiveConnection c : open) {
                if (!c.closing.get() && (largest == null || c.backlog > largest.backlog)) {
                    largest = c;
                }
            }
            return largest;
        }
    }

    final String user;
    private final WebSocketSession session;
    private final Caps caps;
    private final AtomicBoolean closing = new AtomicBoolean();
    private List<String> held = new ArrayList<>();
    private long heldBytes;
    private long queued;
    /** {@link #queued}, for other sockets' threads choosing which socket to close ({@link Caps#largestBacklog}). */
    private volatile long backlog;

    private volatile Subscription subscription;

    /**
     * Ends the connection outright, a little after its close frame was queued: that frame waits behind whatever the
     * client has not read, so a client that does not read would keep its socket, and every message queued for it,
     * for good. Closing the connection fails those writes and lets their memory go.
     */
    private final Runnable abort;

    /** Text still counted against the process's cap; no longer once the socket is closing ({@link #close}). */
    private boolean counted = true;

    LiveConnection(String user, WebSocketSession session, Caps caps) {
        this(user, session, caps, () -> {});
    }

    LiveConnection(String user, WebSocketSession session, Caps caps, Runnable abort) {
        this.user = user;
        this.session = session;
        this.caps = caps;
        this.abort = abort;
        caps.open().add(this);
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

    /**
     * Counts {@code message} as queued, or closes the socket with 1013 if that would pass its own cap. Past the
     * process's cap the socket with the most text waiting is closed (a client that does not read), not this one: it
     * used to be whichever socket got the next message, mostly a reader's tab with a small one. This message is
     * then counted while that socket's text is let go, up to one socket's cap over the process's; past that, or if
     * this socket is the one with the most waiting, this one is closed.
     */
    private boolean reserve(long n) {
        if (queued + n > caps.perSocket()) {
            close(CloseReason.TRY_AGAIN_LATER);
            return false;
        }
        long total = caps.total().addAndGet(n);
        if (total > caps.maxTotal()) {
            LiveConnection largest = caps.largestBacklog();
            boolean other = largest != null && largest != this && largest.backlog > queued + n;
            if (other) {
                // on a thread of its own: closing takes that socket's lock, and it may be waiting for this one's
                Thread.ofVirtual().start(() -> largest.close(CloseReason.TRY_AGAIN_LATER));
            }
            if (!other || total > caps.maxTotal() + caps.perSocket()) {
                caps.total().addAndGet(-n);
                close(CloseReason.TRY_AGAIN_LATER);
                return false;
            }
        }
        queued += n;
        backlog = queued;
        return true;
    }

    private synchronized void written(long n) {
        queued -= n;
        backlog = queued;
        if (counted) {
            caps.total().addAndGet(-n);
        }
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
            synchronized (this) {
                // what it still has queued goes with the connection (below): other sockets are not held to it
                counted = false;
                caps.total().addAndGet(-queued);
            }
            if (session.isOpen()) {
                session.close(reason);
            }
            abort.run();
        }
    }

    /** Whether the server started closing this socket (so a close from the client is not to be echoed). */
    boolean closedByServer() {
        return closing.get();
    }

    /** Unsubscribes and forgets held messages; the socket itself is closed by whoever called. */
    synchronized void stop() {
        caps.open().remove(this);
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        if (held != null) {
            queued -= heldBytes;
            backlog = queued;
            if (counted) {
                caps.total().addAndGet(-heldBytes);
            }
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
