package dev.litestack.todo.todos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which socket the process-wide cap on queued text closes. */
class LiveConnectionTest {

    /** A socket whose client reads (every send completes) or never reads (no send ever completes). */
    private static final class FakeSession {
        final AtomicReference<CloseReason> closed = new AtomicReference<>();
        final java.util.List<CompletableFuture<Object>> unsent = new java.util.concurrent.CopyOnWriteArrayList<>();
        final WebSocketSession session;

        /** The connection closed outright: what was never written fails, as Netty fails it. */
        void abort() {
            unsent.forEach(f -> f.completeExceptionally(new java.io.IOException("connection closed")));
        }

        FakeSession(boolean reads) {
            session = (WebSocketSession) Proxy.newProxyInstance(
                    WebSocketSession.class.getClassLoader(), new Class<?>[] {WebSocketSession.class}, (p, m, a) -> {
                        switch (m.getName()) {
                            case "isOpen":
                                return closed.get() == null;
                            case "sendAsync":
                                if (reads) {
                                    return CompletableFuture.completedFuture(a[0]);
                                }
                                CompletableFuture<Object> pending = new CompletableFuture<>();
                                unsent.add(pending);
                                return pending;
                            case "close":
                                // as Micronaut does: the close frame is queued behind what the client has not read,
                                // and nothing queued fails until the connection itself is closed (abort)
                                closed.compareAndSet(null, a != null && a.length == 1 ? (CloseReason) a[0] : null);
                                return null;
                            case "hashCode":
                                return System.identityHashCode(p);
                            case "equals":
                                return p == a[0];
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    private static String text(int bytes) {
        return "x".repeat(bytes);
    }

    @Test
    void pastTheProcessCapTheSocketWithTheMostWaitingIsClosedNotTheOneWithTheNextMessage() {
        LiveConnection.Caps caps = new LiveConnection.Caps(1000, new AtomicLong(), 2000);
        FakeSession slow1 = new FakeSession(false);
        FakeSession slow2 = new FakeSession(false);
        FakeSession reader = new FakeSession(true);
        java.util.concurrent.atomic.AtomicInteger aborted = new java.util.concurrent.atomic.AtomicInteger();
        LiveConnection a = new LiveConnection("a", slow1.session, caps, aborted::incrementAndGet); // frees nothing yet
        LiveConnection b = new LiveConnection("b", slow2.session, caps, slow2::abort);
        LiveConnection c = new LiveConnection("c", reader.session, caps, reader::abort);
        a.start(text(100));
        b.start(text(100));
        c.start(text(100));
        a.deliver(text(800)); // 900 waiting, never read
        b.deliver(text(700)); // 800 waiting, never read
        assertEquals(1700, caps.total().get());

        c.deliver(text(400)); // the process's cap is passed by a reader's small message
        assertNull(reader.closed.get(), "the reader's socket stays open");
        await().atMost(Duration.ofSeconds(5)).until(() -> slow1.closed.get() != null);
        assertEquals(CloseReason.TRY_AGAIN_LATER, slow1.closed.get(), "the socket with the most waiting is closed");
        assertNull(slow2.closed.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> aborted.get() == 1);
        assertEquals(800, caps.total().get(), "a closing socket's text no longer counts, though not yet let go");
        c.deliver(text(500)); // over the cap again, were the closing socket's 900 bytes still counted
        assertNull(reader.closed.get(), "the reader's socket stays open");
        assertNull(slow2.closed.get(), "and no other socket is closed for text that is on its way out");
        assertTrue(!caps.open().contains(a)
                && caps.open().contains(b)
                && caps.open().contains(c));

        // with no one else holding more than it would, the socket passing the cap is the one closed
        b.deliver(text(150));
        c.deliver(text(100));
        assertNull(reader.closed.get());
        LiveConnection.Caps tight = new LiveConnection.Caps(1000, new AtomicLong(), 500);
        FakeSession alone = new FakeSession(false);
        LiveConnection d = new LiveConnection("d", alone.session, tight);
        d.start(text(400));
        d.deliver(text(200));
        assertEquals(CloseReason.TRY_AGAIN_LATER, alone.closed.get());
        assertEquals(0, tight.total().get());
    }
}
